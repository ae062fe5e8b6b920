import { afterAll, beforeAll, expect, test } from 'bun:test'
import { ConfigError } from '../../src/index.ts'
import { type RunningFixture, serveV1Http } from '../fixtures/v1-server.ts'
import { connectClient } from '../helpers/clients.ts'
import { startProxy } from '../helpers/start-proxy.ts'
import { waitFor } from '../helpers/wait.ts'

let alpha: RunningFixture
let beta: RunningFixture
let gamma: RunningFixture
beforeAll(() => {
  alpha = serveV1Http({ name: 'alpha' })
  beta = serveV1Http({ name: 'beta' })
  gamma = serveV1Http({ name: 'gamma' })
})
afterAll(async () => {
  await Promise.all([alpha.close(), beta.close(), gamma.close()])
})

test('a reload adds, removes and changes upstreams and swaps plugins without dropping unaffected sessions', async () => {
  const proxy = await startProxy({
    upstreams: [
      { id: 'alpha', url: alpha.url },
      { id: 'beta', url: beta.url },
    ],
  })
  let listChanged = 0
  const client = await connectClient(proxy.url, {
    setup: (c) =>
      c.setNotificationHandler('notifications/tools/list_changed', async () => void listChanged++),
  })
  expect((await client.callTool({ name: 'alpha_only', arguments: {} })).content).toEqual([
    { type: 'text', text: 'alpha' },
  ])
  const sessionsBefore = proxy.proxy.status().sessions

  const changes = await proxy.proxy.reload({
    upstreams: [
      { id: 'alpha', url: alpha.url },
      { id: 'beta', url: gamma.url },
      { id: 'delta', url: gamma.url, timeoutMs: 1_000 },
    ],
    namespace: false,
    plugins: [{ name: 'hide-fail', filterTools: (tools) => tools.filter((tool) => tool.name !== 'fail') }],
  })
  expect(changes.added.map((upstream) => upstream.id)).toEqual(['delta'])
  expect(changes.changed.map((upstream) => upstream.id)).toEqual(['beta'])
  expect(changes.removed).toEqual([])

  await waitFor(() => listChanged > 0, 'list_changed after the reload')
  expect(proxy.proxy.status().sessions).toBe(sessionsBefore)
  // The same session keeps working, now against the new upstream set and plugins.
  const names = (await client.listTools()).tools.map((tool) => tool.name)
  expect(names).toContain('gamma_only')
  expect(names).not.toContain('beta_only')
  expect(names).not.toContain('fail')
  expect((await client.callTool({ name: 'alpha_only', arguments: {} })).content).toEqual([
    { type: 'text', text: 'alpha' },
  ])
  expect((await client.callTool({ name: 'gamma_only', arguments: {} })).content).toEqual([
    { type: 'text', text: 'gamma' },
  ])

  await proxy.proxy.reload({ upstreams: [{ id: 'alpha', url: alpha.url }] })
  expect((await client.listTools()).tools.map((tool) => tool.name)).not.toContain('gamma_only')
  await client.close()
  await proxy.stop()
})

test('a broken config is refused and the running one keeps serving', async () => {
  const proxy = await startProxy({ upstreams: [{ id: 'alpha', url: alpha.url }] })
  const refusal = await proxy.proxy
    .reload({ upstreams: [{ id: 'alpha', url: 'not a url' }] })
    .catch((error) => error)
  expect(refusal).toBeInstanceOf(ConfigError)
  expect((refusal as ConfigError).issues).toEqual(['upstreams[0].url: expected an http:// or https:// URL'])
  const client = await connectClient(proxy.url)
  expect((await client.callTool({ name: 'alpha_only', arguments: {} })).content).toEqual([
    { type: 'text', text: 'alpha' },
  ])
  await client.close()
  await proxy.stop()
})

test('shutdown lets a call in flight finish, refuses new sessions meanwhile, then closes everything', async () => {
  const proxy = await startProxy({ upstreams: [{ id: 'alpha', url: alpha.url }] })
  const client = await connectClient(proxy.url)
  const inFlight = client.callTool({ name: 'wait', arguments: { ms: 400 } })
  await waitFor(() => proxy.proxy.status().callsInFlight === 1, 'the call to be in flight')
  const shutdown = proxy.proxy.shutdown(5_000)
  const refused = await connectClient(proxy.url).catch((error) => error)
  expect(String(refused)).toContain('shutting down')
  expect((await inFlight).content).toEqual([{ type: 'text', text: 'waited' }])
  await shutdown
  expect(proxy.proxy.status().sessions).toBe(0)
  await client.close().catch(() => {})
  await proxy.stop()
})
