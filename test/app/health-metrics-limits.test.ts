import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { type RunningFixture, serveV1Http } from '../fixtures/v1-server.ts'
import { connectClient } from '../helpers/clients.ts'
import { postInitialize } from '../helpers/mcp-http.ts'
import { startProxy, type TestProxy } from '../helpers/start-proxy.ts'
import { freePort, waitFor } from '../helpers/wait.ts'

let alpha: RunningFixture
beforeAll(() => {
  alpha = serveV1Http({ name: 'alpha' })
})
afterAll(() => alpha.close())

const base = (proxy: TestProxy) => proxy.url.replace(/\/mcp$/, '')

function initialize(proxy: TestProxy): Promise<Response> {
  return postInitialize(proxy.url)
}

describe('health, readiness and metrics', () => {
  let proxy: TestProxy
  beforeAll(async () => {
    proxy = await startProxy({
      upstreams: [
        { id: 'alpha', url: alpha.url },
        { id: 'gone', url: `http://127.0.0.1:${freePort()}/mcp` },
      ],
      maxBodyBytes: 1024,
    })
  })
  afterAll(() => proxy.stop())

  test('/healthz says the process is alive; /readyz lists each upstream and is 200 while one is up', async () => {
    expect(await (await fetch(`${base(proxy)}/healthz`)).json()).toEqual({ status: 'ok' })
    const ready = await fetch(`${base(proxy)}/readyz`)
    expect(ready.status).toBe(200)
    const body = (await ready.json()) as {
      status: string
      upstreams: { id: string; state: string; era: string }[]
    }
    expect(body.status).toBe('ready')
    expect(body.upstreams.map(({ id, state }) => [id, state])).toEqual([
      ['alpha', 'up'],
      ['gone', 'down'],
    ])
    expect(body.upstreams[0]?.era).toBe('legacy')
  })

  test('/metrics counts requests, upstream calls, rejections, sessions and upstream state in Prometheus text', async () => {
    const client = await connectClient(proxy.url)
    await client.callTool({ name: 'alpha_only', arguments: {} })
    await fetch(proxy.url, { method: 'POST', headers: { host: 'evil.example' }, body: '{}' })
    await fetch(proxy.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: 'x'.repeat(2048),
    })
    const response = await fetch(`${base(proxy)}/metrics`)
    expect(response.headers.get('content-type')).toContain('text/plain')
    const text = await response.text()
    expect(text).toContain('proxmcp_requests_total{method="tools/call",status="200"} 1')
    expect(text).toContain(
      'proxmcp_upstream_calls_total{upstream="alpha",method="tools/call",outcome="ok"} 1',
    )
    expect(text).toMatch(
      /proxmcp_upstream_call_duration_seconds_count\{upstream="alpha",method="tools\/call"\} 1/,
    )
    expect(text).toContain('proxmcp_requests_rejected_total{reason="forbidden"} 1')
    expect(text).toContain('proxmcp_requests_rejected_total{reason="too_large"} 1')
    expect(text).toContain('proxmcp_upstream_up{upstream="alpha"} 1')
    expect(text).toContain('proxmcp_upstream_up{upstream="gone"} 0')
    expect(text).toContain('proxmcp_sessions_active 1')
    await client.close()
  })
})

test('/readyz is 503 when no upstream is up', async () => {
  const proxy = await startProxy({ upstreams: [{ id: 'gone', url: `http://127.0.0.1:${freePort()}/mcp` }] })
  const ready = await fetch(`${base(proxy)}/readyz`)
  expect(ready.status).toBe(503)
  expect(((await ready.json()) as { status: string }).status).toBe('unavailable')
  await proxy.stop()
})

test('sessions beyond the per-client limit get 429 and beyond the total limit 503, each saying why', async () => {
  const perClient = await startProxy({
    upstreams: [{ id: 'alpha', url: alpha.url }],
    maxSessionsPerClient: 2,
  })
  const statuses = []
  for (let index = 0; index < 3; index++) statuses.push((await initialize(perClient)).status)
  expect(statuses).toEqual([200, 200, 429])
  expect(await (await initialize(perClient)).text()).toContain('Too many sessions from this client (limit 2)')
  await perClient.stop()

  const total = await startProxy({ upstreams: [{ id: 'alpha', url: alpha.url }], maxSessions: 1 })
  expect((await initialize(total)).status).toBe(200)
  const refused = await initialize(total)
  expect(refused.status).toBe(503)
  expect(await refused.text()).toContain('Too many sessions: the proxy holds its limit of 1')
  await total.stop()
})

test('calls beyond the per-session concurrency limit fail at once with a clear error', async () => {
  const proxy = await startProxy({ upstreams: [{ id: 'alpha', url: alpha.url }], maxCallsPerSession: 1 })
  const client = await connectClient(proxy.url)
  const slow = client.callTool({ name: 'wait', arguments: { ms: 500 } })
  await Bun.sleep(100)
  const refused = await client.callTool({ name: 'alpha_only', arguments: {} }).catch((error) => error)
  expect(refused.message).toContain('Too many calls in progress in this session (limit 1)')
  expect((await slow).content).toEqual([{ type: 'text', text: 'waited' }])
  expect((await client.callTool({ name: 'alpha_only', arguments: {} })).content).toEqual([
    { type: 'text', text: 'alpha' },
  ])
  await client.close()
  await proxy.stop()
})

test('an idle session is closed after the idle timeout, with its upstream session', async () => {
  const proxy = await startProxy({
    upstreams: [{ id: 'alpha', url: alpha.url }],
    sessionIdleTimeoutMs: 1_000,
  })
  const client = await connectClient(proxy.url)
  await client.callTool({ name: 'alpha_only', arguments: {} })
  const upstreamSessions = alpha.sessions()
  expect(proxy.proxy.status().sessions).toBe(1)
  await waitFor(() => proxy.proxy.status().sessions === 0, 'the idle session to close', 5_000)
  await waitFor(() => alpha.sessions() === upstreamSessions - 1, 'its upstream session to close', 5_000)
  await client.close().catch(() => {})
  await proxy.stop()
})
