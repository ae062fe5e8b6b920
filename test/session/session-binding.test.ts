import { afterAll, beforeAll, expect, test } from 'bun:test'
import { authPlugin } from '../../src/index.ts'
import { type RunningFixture, serveV1Http } from '../fixtures/v1-server.ts'
import { connectClient } from '../helpers/clients.ts'
import { startProxy, type TestProxy } from '../helpers/start-proxy.ts'

let alpha: RunningFixture
let proxy: TestProxy
beforeAll(async () => {
  alpha = serveV1Http({ name: 'alpha' })
  proxy = await startProxy({
    upstreams: [{ id: 'alpha', url: alpha.url }],
    plugins: [
      authPlugin({ mode: 'apikey', keys: { alice: 'alice-key-0123456789', bob: 'bob-key-0123456789' } }),
    ],
  })
})
afterAll(async () => {
  await proxy.stop()
  await alpha.close()
})

test("a session is bound to the identity that opened it: another identity with its id gets 'Session not found'", async () => {
  const alice = await connectClient(proxy.url, { headers: { authorization: 'Bearer alice-key-0123456789' } })
  const sessionId = (alice.transport as { sessionId?: string }).sessionId as string
  const asBob = await fetch(proxy.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      authorization: 'Bearer bob-key-0123456789',
      'mcp-session-id': sessionId,
    },
    body: JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'tools/list' }),
  })
  expect(asBob.status).toBe(404)
  expect(await asBob.text()).toContain('Session not found')
  expect((await alice.callTool({ name: 'alpha_only', arguments: {} })).content).toEqual([
    { type: 'text', text: 'alpha' },
  ])
  await alice.close()
})
