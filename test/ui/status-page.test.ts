import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { ConfigError } from '../../src/config/resolve.ts'
import { toolFilterPlugin } from '../../src/plugins/tool-filter/index.ts'
import { ProxMCP } from '../../src/proxy.ts'
import type { UiState } from '../../src/ui/ui-state.ts'
import { type RunningFixture, serveV1Http } from '../fixtures/v1-server.ts'
import { connectClient } from '../helpers/clients.ts'
import { startProxy, type TestProxy } from '../helpers/start-proxy.ts'
import { waitFor } from '../helpers/wait.ts'

const ADMIN_KEY = 'status-page-admin-key'

function base(proxy: TestProxy): string {
  return proxy.url.replace(/\/mcp$/, '')
}

function basic(password: string): Record<string, string> {
  return { authorization: `Basic ${btoa(`admin:${password}`)}` }
}

async function pageToken(proxy: TestProxy, headers: Record<string, string> = {}): Promise<string> {
  const html = await (await fetch(`${base(proxy)}/ui`, { headers })).text()
  return /name="proxmcp-token" content="([^"]+)"/.exec(html)?.[1] as string
}

describe('the status page of a proxy bound to loopback', () => {
  let alpha: RunningFixture
  let beta: RunningFixture
  let proxy: TestProxy
  beforeAll(async () => {
    alpha = serveV1Http({ name: 'alpha' })
    beta = serveV1Http({ name: 'beta' })
    proxy = await startProxy({
      ui: true,
      upstreams: [
        { id: 'alpha', url: alpha.url, headers: { Authorization: 'Bearer upstream-secret' } },
        { id: 'beta', url: `${beta.url}?token=query-secret` },
        { id: 'local', command: ['bun', 'server.js', '--token', 'arg-secret'], env: { KEY: 'env-secret' } },
      ],
      servers: { coding: { upstreams: ['alpha'], access: { 'dev-*': ['*'] } } },
      plugins: [
        toolFilterPlugin({
          deny: ['fail'],
          rename: { alpha_only: 'first' },
          descriptions: { echo: 'Says it back' },
        }),
      ],
    })
  })
  afterAll(async () => {
    await proxy.stop()
    await Promise.all([alpha.close(), beta.close()])
  })

  test('serves one page, with no other resource to fetch, and headers that keep it in its frame', async () => {
    const response = await fetch(`${base(proxy)}/ui`)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toContain('text/html')
    expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'")
    const html = await response.text()
    expect(html).not.toMatch(/<(script|link|img)[^>]+(src|href)=/)
    expect(new TextEncoder().encode(html).length).toBeLessThan(20_000)
  })

  test('its state agrees with /readyz, and never holds a header, query, argument or env value', async () => {
    const client = await connectClient(proxy.url)
    await client.callTool({ name: 'first', arguments: {} })
    await client.close()
    const ready = (await (await fetch(`${base(proxy)}/readyz`)).json()) as {
      upstreams: { id: string; state: string; tools: number }[]
    }
    const text = await (await fetch(`${base(proxy)}/ui/state`)).text()
    for (const secret of ['upstream-secret', 'query-secret', 'arg-secret', 'env-secret']) {
      expect(text).not.toContain(secret)
    }
    const state = JSON.parse(text) as UiState
    const summary = (upstream: { id: string; state: string; tools: number }) =>
      `${upstream.id} ${upstream.state} ${upstream.tools}`
    expect(state.upstreams.map(summary)).toEqual(ready.upstreams.map(summary))
    const alphaRow = state.upstreams.find((upstream) => upstream.id === 'alpha')
    expect(alphaRow?.secrets).toEqual(['Authorization=•••'])
    expect(state.upstreams.find((upstream) => upstream.id === 'local')?.target).toBe('bun •••')
    expect(state.recent.find((entry) => entry.method === 'tools/call')).toMatchObject({
      name: 'first',
      upstream: 'alpha',
      status: 200,
    })
    expect(state.traffic.requests).toBeGreaterThan(0)
  })

  test('the virtual servers are listed with their upstreams, sessions and who may use them', async () => {
    const { servers, endpoints } = (await (await fetch(`${base(proxy)}/ui/state`)).json()) as UiState
    expect(endpoints).toEqual(['mcp', 'mcp/coding'])
    expect(servers).toEqual([
      { name: 'coding', upstreams: ['alpha'], sessions: 0, access: ['dev-*'], toolSearch: false },
    ])
  })

  test("each virtual server's catalog is its own: its upstreams' tools, under its rules", async () => {
    const { serverCatalogs, tools } = (await (await fetch(`${base(proxy)}/ui/state`)).json()) as UiState
    expect(Object.keys(serverCatalogs)).toEqual(['coding'])
    const coding = serverCatalogs.coding as UiState['serverCatalogs'][string]
    expect(coding.tools.length).toBeGreaterThan(0)
    expect(new Set(coding.tools.map((tool) => tool.upstream))).toEqual(new Set(['alpha']))
    expect(new Set(tools.map((tool) => tool.upstream))).toEqual(new Set(['alpha', 'beta']))
  })

  test('the catalog marks renamed, filtered, conflicting and changed tools, with their upstreams', async () => {
    const { tools } = (await (await fetch(`${base(proxy)}/ui/state`)).json()) as UiState
    const find = (upstream: string, original: string) =>
      tools.find((tool) => tool.upstream === upstream && tool.original === original)
    expect(find('alpha', 'alpha_only')).toMatchObject({ name: 'first', shown: true, marks: ['renamed'] })
    // Both upstreams have `fail`: alpha's holds the name, and the filter hides it.
    expect(find('alpha', 'fail')).toMatchObject({ shown: false, marks: ['filtered', 'conflict'] })
    expect(find('alpha', 'echo')).toMatchObject({
      shown: true,
      marks: ['sanitized', 'conflict'],
      conflictWith: 'beta',
    })
    expect(find('beta', 'echo')).toMatchObject({ shown: false, marks: ['conflict'], conflictWith: 'alpha' })
    expect(find('beta', 'beta_only')).toMatchObject({ shown: true, marks: [] })
  })

  test('actions need the page token and its own origin', async () => {
    const restart = (headers: Record<string, string>) =>
      fetch(`${base(proxy)}/ui/upstreams/beta/restart`, { method: 'POST', headers })
    const token = await pageToken(proxy)
    expect((await restart({})).status).toBe(403)
    expect((await restart({ 'x-proxmcp-token': 'guess' })).status).toBe(403)
    expect((await restart({ 'x-proxmcp-token': token, origin: 'https://evil.example' })).status).toBe(403)
    const before = proxy.proxy.status().upstreams.find((upstream) => upstream.id === 'beta')
    const done = await restart({ 'x-proxmcp-token': token, origin: base(proxy) })
    expect(done.status).toBe(200)
    expect(((await done.json()) as { message: string }).message).toBe("upstream 'beta' restarted")
    await waitFor(
      () => proxy.proxy.status().upstreams.find((u) => u.id === 'beta')?.state === 'up',
      'beta back up',
    )
    expect(before?.state).toBe('up')
    const unknown = await fetch(`${base(proxy)}/ui/upstreams/nope/restart`, {
      method: 'POST',
      headers: { 'x-proxmcp-token': token },
    })
    expect(unknown.status).toBe(404)
    const reload = await fetch(`${base(proxy)}/ui/reload`, {
      method: 'POST',
      headers: { 'x-proxmcp-token': token },
    })
    expect(reload.status).toBe(501)
  })

  test('a foreign Host is refused, as on /mcp (DNS rebinding)', async () => {
    const response = await fetch(`${base(proxy)}/ui/state`, { headers: { host: 'evil.example' } })
    expect(response.status).toBe(403)
  })
})

describe('the status page with an admin key', () => {
  let alpha: RunningFixture
  let proxy: TestProxy
  beforeAll(async () => {
    alpha = serveV1Http({ name: 'alpha' })
    proxy = await startProxy({ ui: { adminKey: ADMIN_KEY }, upstreams: [{ id: 'alpha', url: alpha.url }] })
  })
  afterAll(async () => {
    await proxy.stop()
    await alpha.close()
  })

  test('asks for it as HTTP Basic credentials, and refuses a wrong one', async () => {
    for (const path of ['/ui', '/ui/state']) {
      const refused = await fetch(`${base(proxy)}${path}`)
      expect(refused.status).toBe(401)
      expect(refused.headers.get('www-authenticate')).toContain('Basic')
      expect(
        (await fetch(`${base(proxy)}${path}`, { headers: basic('wrong-key-of-some-length') })).status,
      ).toBe(401)
      expect((await fetch(`${base(proxy)}${path}`, { headers: basic(ADMIN_KEY) })).status).toBe(200)
    }
  })
})

test('is off by default, and cannot be open on an address other machines reach', async () => {
  const alpha = serveV1Http({ name: 'alpha' })
  const proxy = await startProxy({ upstreams: [{ id: 'alpha', url: alpha.url }] })
  expect((await fetch(`${base(proxy)}/ui`)).status).toBe(404)
  await proxy.stop()
  await alpha.close()
  expect(() => new ProxMCP({ ui: true, host: '0.0.0.0', upstreams: [{ id: 'a', url: alpha.url }] })).toThrow(
    ConfigError,
  )
  // Bound to loopback behind a reverse proxy: the Host names it answers say who reaches it.
  const behindProxy = {
    ui: true,
    allowedHosts: ['mcp.example.com'],
    upstreams: [{ id: 'a', url: alpha.url }],
  }
  expect(() => new ProxMCP(behindProxy)).toThrow('needs ui.adminKey')
  expect(() => new ProxMCP({ ui: { adminKey: 'short' }, upstreams: [{ id: 'a', url: alpha.url }] })).toThrow(
    'expected at least 16 characters',
  )
})

test('a reload and restarts asked at once run one after the other, and nothing starts once shutting down', async () => {
  const alpha = serveV1Http({ name: 'alpha' })
  const beta = serveV1Http({ name: 'beta' })
  const upstreams = [{ id: 'alpha', url: alpha.url }]
  const proxy = await startProxy({ ui: true, upstreams })
  try {
    const [, changes, restarted] = await Promise.all([
      proxy.proxy.restartUpstream('alpha'),
      proxy.proxy.reload({ ui: true, upstreams: [...upstreams, { id: 'beta', url: beta.url }] }),
      proxy.proxy.restartUpstream('beta'),
    ])
    expect(changes.added.map((upstream) => upstream.id)).toEqual(['beta'])
    expect(restarted).toBe(true)
    expect(proxy.proxy.status().upstreams.map((upstream) => `${upstream.id} ${upstream.state}`)).toEqual([
      'alpha up',
      'beta up',
    ])
    const token = await pageToken(proxy)
    await proxy.proxy.shutdown(0)
    const late = await fetch(`${base(proxy)}/ui/upstreams/alpha/restart`, {
      method: 'POST',
      headers: { 'x-proxmcp-token': token },
    })
    expect(late.status).toBe(503)
  } finally {
    await proxy.stop()
    await Promise.all([alpha.close(), beta.close()])
  }
})
