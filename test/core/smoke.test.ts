import { afterAll, beforeAll, expect, test } from 'bun:test'
import { connectClient } from '../helpers/clients.ts'
import { startProxy, type TestProxy } from '../helpers/start-proxy.ts'
import { type RunningFixture, serveV1Http } from '../fixtures/v1-server.ts'

let alpha: RunningFixture
let proxy: TestProxy

beforeAll(async () => {
  alpha = serveV1Http({ name: 'alpha' })
  proxy = await startProxy({
    upstreams: [
      { id: 'alpha', url: alpha.url },
      { id: 'beta', command: [process.execPath, 'test/fixtures/v1-server.ts', '--name', 'beta'] },
    ],
  })
})
afterAll(async () => {
  await proxy.stop()
  await alpha.close()
})

test.each(['legacy', 'modern'] as const)('%s client lists and calls through the proxy', async (era) => {
  const client = await connectClient(proxy.url, { era })
  const { tools } = await client.listTools()
  console.log(era, tools.map((t) => t.name), proxy.logs)
  const result = await client.callTool({ name: 'beta_only', arguments: {} })
  console.log(JSON.stringify(result))
  const echo = await client.callTool({ name: 'echo', arguments: { text: 'hi' } })
  console.log(JSON.stringify(echo))
  expect(echo.structuredContent).toEqual({ text: 'hi', server: 'alpha' })
  await client.close()
})
