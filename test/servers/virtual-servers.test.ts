import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { Client, SSEClientTransport, StreamableHTTPClientTransport } from '@modelcontextprotocol/client'
import type { ProxMCPConfigFile } from '../../src/config/define-config.ts'
import { authPlugin, loggerPlugin } from '../../src/index.ts'
import { type RunningFixture, serveV1Http } from '../fixtures/v1-server.ts'
import { answeringSampling, type ClientEra, connectClient } from '../helpers/clients.ts'
import { startProxy, type TestProxy } from '../helpers/start-proxy.ts'
import { freePort, waitFor } from '../helpers/wait.ts'

const ALICE = 'alice-key-0123456789abcdef'
const BOB = 'bob-key-0123456789abcdef'
const CAROL = 'carol-key-0123456789abcdef'
const as = (key: string) => ({ authorization: `Bearer ${key}` })
const requestLog: string[] = []

let alpha: RunningFixture
let beta: RunningFixture
let proxy: TestProxy
let config: ProxMCPConfigFile
const base = () => proxy.url.replace(/\/mcp$/, '')

beforeAll(async () => {
  alpha = serveV1Http({ name: 'alpha' })
  beta = serveV1Http({ name: 'beta' })
  config = {
    upstreams: [
      { id: 'alpha', url: alpha.url },
      { id: 'beta', url: beta.url },
    ],
    servers: {
      coding: {
        upstreams: ['alpha'],
        tools: { deny: ['fail', 'log'] },
        instructions: 'Tools for the coding agent.',
      },
      // beta first: its `echo` wins here, where alpha's wins on /mcp.
      support: { upstreams: ['beta', 'alpha'], access: { alice: ['*'], bob: ['echo'] } },
      assist: { upstreams: ['alpha'], toolSearch: true },
    },
    plugins: [
      authPlugin({ mode: 'apikey', keys: { alice: ALICE, bob: BOB, carol: CAROL } }),
      loggerPlugin({ format: 'json', sink: (line) => void requestLog.push(line) }),
    ],
  }
  proxy = await startProxy(config)
})
afterAll(async () => {
  await proxy.stop()
  await Promise.all([alpha.close(), beta.close()])
})

const names = async (client: Client) => (await client.listTools()).tools.map((tool) => tool.name)

describe.each(['legacy', 'modern'] as ClientEra[])('%s-era clients', (era) => {
  test('each server lists and calls only its own tools, under its own name and instructions', async () => {
    const coding = await connectClient(`${base()}/mcp/coding`, { era, headers: as(ALICE) })
    const listed = await names(coding)
    expect(listed).toContain('alpha_only')
    expect(listed).not.toContain('beta_only')
    expect(listed).not.toContain('fail')
    expect(coding.getServerVersion()?.name).toBe('coding')
    expect(coding.getInstructions()).toBe('Tools for the coding agent.')
    expect((await coding.callTool({ name: 'echo', arguments: { text: 'hi' } })).content).toEqual([
      { type: 'text', text: 'alpha:hi' },
    ])
    await expect(coding.callTool({ name: 'beta_only', arguments: {} })).rejects.toThrow(
      'Unknown tool: beta_only',
    )
    await coding.close()

    const support = await connectClient(`${base()}/mcp/support`, { era, headers: as(ALICE) })
    expect(await names(support)).toContain('beta_only')
    expect((await support.callTool({ name: 'echo', arguments: { text: 'hi' } })).content).toEqual([
      { type: 'text', text: 'beta:hi' },
    ])
    await support.close()

    const everything = await connectClient(proxy.url, { era, headers: as(ALICE) })
    expect((await everything.callTool({ name: 'echo', arguments: { text: 'hi' } })).content).toEqual([
      { type: 'text', text: 'alpha:hi' },
    ])
    expect(everything.getServerVersion()?.name).toBe('proxmcp')
    await everything.close()
    // Each server warns of its own conflicts, named; in support, beta is listed first.
    expect(proxy.logs).toContainEqual(
      expect.stringMatching(
        /^warn: server 'support': tools .*'echo'.* offered by upstreams 'beta' and 'alpha': 'beta' wins/,
      ),
    )
  })

  test("a server's access rules: a listed identity sees its tools, any other gets 403", async () => {
    const bob = await connectClient(`${base()}/mcp/support`, { era, headers: as(BOB) })
    expect(await names(bob)).toEqual(['echo'])
    await bob.close()
    await expect(connectClient(`${base()}/mcp/support`, { era, headers: as(CAROL) })).rejects.toThrow()
    const coding = await connectClient(`${base()}/mcp/coding`, { era, headers: as(CAROL) })
    expect(await names(coding)).toContain('alpha_only')
    await coding.close()
  })
})

test.each(['legacy', 'modern'] as ClientEra[])(
  'on a server with tool search, a call_tool whose tool asks for sampling reaches the calling client (%s era)',
  async (era) => {
    const client = await connectClient(`${base()}/mcp/assist`, {
      era,
      headers: as(ALICE),
      ...answeringSampling('hi from assist'),
    })
    expect(await names(client)).toEqual(['search_tools', 'call_tool'])
    const found = await client.callTool({
      name: 'search_tools',
      arguments: { query: 'ask the client model' },
    })
    expect(
      (found.structuredContent as { tools: { name: string }[] }).tools.map((tool) => tool.name),
    ).toContain('sample')
    const result = await client.callTool({ name: 'call_tool', arguments: { name: 'sample' } })
    expect(result.content).toEqual([{ type: 'text', text: 'model said hi from assist' }])
    await client.close()
  },
)

test('a paused 2026-07-28 call resumes only on the server that paused it', async () => {
  // The client's retry (inputResponses + requestState) is sent to another server than the first round.
  let retried = false
  const retryElsewhere = (url: string | URL | Request, init?: RequestInit) => {
    const retry = typeof init?.body === 'string' && init.body.includes('"requestState"')
    if (retry) retried = true
    return fetch(retry ? String(url).replace('/mcp/coding', '/mcp/support') : url, init)
  }
  const client = new Client(
    { name: 'resuming', version: '1.0.0' },
    { capabilities: { elicitation: { form: {} } }, versionNegotiation: { mode: { pin: '2026-07-28' } } },
  )
  client.setRequestHandler('elicitation/create', async () => ({ action: 'accept', content: { name: 'Eve' } }))
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${base()}/mcp/coding`), {
      requestInit: { headers: as(ALICE) },
      fetch: retryElsewhere,
    }),
  )
  await expect(client.callTool({ name: 'ask_name', arguments: {} })).rejects.toThrow(
    'Invalid or expired requestState',
  )
  expect(retried).toBe(true)
  await client.close()
})

test('the refusal of an identity a server does not name is a 403 with a JSON-RPC error', async () => {
  const response = await fetch(`${base()}/mcp/support`, {
    method: 'POST',
    headers: {
      ...as(CAROL),
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
    },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
  })
  expect(response.status).toBe(403)
  expect(await response.json()).toMatchObject({
    jsonrpc: '2.0',
    error: { message: 'Forbidden: this identity may not use the MCP server at /mcp/support' },
  })
})

test('a server that does not exist is asked for credentials first, like any path', async () => {
  const response = await fetch(`${base()}/mcp/nope`, { method: 'POST', body: '{}' })
  expect(response.status).toBe(401)
})

test('a server that does not exist is a 404 with a JSON-RPC error, on /mcp and /sse alike', async () => {
  for (const path of ['/mcp/nope', '/sse/nope']) {
    const response = await fetch(`${base()}${path}`, {
      method: path.startsWith('/mcp') ? 'POST' : 'GET',
      headers: {
        ...as(ALICE),
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      body: path.startsWith('/mcp') ? JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }) : null,
    })
    expect(response.status).toBe(404)
    expect((await response.json()).error.message).toBe(`Not Found: no MCP server is served at ${path}`)
  }
})

async function sseClient(url: string, key: string): Promise<Client> {
  const client = new Client({ name: 'sse-client', version: '1.0.0' })
  await client.connect(
    new SSEClientTransport(new URL(url), {
      requestInit: { headers: as(key) },
      eventSourceInit: {
        fetch: (url, init) => fetch(url, { ...init, headers: { ...init?.headers, ...as(key) } }),
      },
    }),
  )
  return client
}

test('an HTTP+SSE client reaches a server at /sse/<name>', async () => {
  const client = await sseClient(`${base()}/sse/coding`, ALICE)
  expect(await names(client)).not.toContain('beta_only')
  expect((await client.callTool({ name: 'echo', arguments: { text: 'sse' } })).content).toEqual([
    { type: 'text', text: 'alpha:sse' },
  ])
  await client.close()
})

test('the request log and the metrics name the server', async () => {
  requestLog.length = 0
  const client = await connectClient(`${base()}/mcp/coding`, { headers: as(ALICE) })
  await client.callTool({ name: 'alpha_only', arguments: {} })
  await client.close()
  const logged = requestLog.map((line) => JSON.parse(line)).find((entry) => entry.name === 'alpha_only')
  expect(logged).toMatchObject({ server: 'coding', upstream: 'alpha', identity: 'alice' })
  const metrics = await (await fetch(`${base()}/metrics`)).text()
  expect(metrics).toMatch(/proxmcp_requests_total\{method="tools\/call",status="200",server="coding"\} \d+/)
  expect(metrics).toMatch(
    /proxmcp_upstream_calls_total\{upstream="alpha",method="tools\/call",server="coding",outcome="ok"\} \d+/,
  )
  expect(metrics).toMatch(
    /proxmcp_upstream_call_duration_seconds_count\{upstream="alpha",method="tools\/call",server="coding"\} \d+/,
  )
})

test('list_changed reaches only the sessions of the servers whose upstreams changed', async () => {
  const port = freePort()
  const steady = serveV1Http({ name: 'steady' })
  const scoped = await startProxy({
    upstreams: [
      { id: 'steady', url: steady.url },
      { id: 'late', url: `http://127.0.0.1:${port}/mcp` },
    ],
    servers: { calm: { upstreams: ['steady'] }, busy: { upstreams: ['late', 'steady'] } },
  })
  const heard = { calm: 0, busy: 0 }
  const listen = (server: 'calm' | 'busy') =>
    connectClient(scoped.url.replace(/\/mcp$/, `/mcp/${server}`), {
      setup: (c) =>
        c.setNotificationHandler('notifications/tools/list_changed', async () => void heard[server]++),
    })
  const [calm, busy] = await Promise.all([listen('calm'), listen('busy')])
  const late = serveV1Http({ name: 'late', port })
  try {
    await waitFor(() => heard.busy > 0, 'list_changed on the server whose upstream came up')
    expect(await names(busy)).toContain('late_only')
    await Bun.sleep(300)
    expect(heard.calm).toBe(0)
    expect(await names(calm)).not.toContain('late_only')
  } finally {
    await Promise.all([calm.close(), busy.close()])
    await scoped.stop()
    await Promise.all([steady.close(), late.close()])
  }
})

test('a reload adds, changes and removes servers: unchanged sessions go on, a removed server answers 404', async () => {
  const support = await connectClient(`${base()}/mcp/support`, { headers: as(ALICE) })
  const coding = await connectClient(`${base()}/mcp/coding`, { headers: as(ALICE) })
  const { coding: _removed, ...kept } = config.servers ?? {}
  await proxy.proxy.reload({
    ...config,
    servers: { ...kept, ops: { upstreams: ['beta'], toolSearch: true } },
  })
  try {
    expect((await support.callTool({ name: 'echo', arguments: { text: 'still' } })).content).toEqual([
      { type: 'text', text: 'beta:still' },
    ])
    await expect(coding.listTools()).rejects.toThrow()
    const ops = await connectClient(`${base()}/mcp/ops`, { headers: as(ALICE) })
    expect(await names(ops)).toEqual(['search_tools', 'call_tool'])
    await ops.close()
  } finally {
    await support.close()
    await coding.close().catch(() => {})
    await proxy.proxy.reload(config)
  }
})

test("an HTTP+SSE session's every message is checked against the server's access, as reloaded", async () => {
  const bob = await sseClient(`${base()}/sse/support`, BOB)
  expect(await names(bob)).toEqual(['echo'])
  const support = { ...config.servers?.support, upstreams: ['beta', 'alpha'], access: { alice: ['*'] } }
  await proxy.proxy.reload({ ...config, servers: { ...config.servers, support } })
  try {
    await expect(bob.listTools()).rejects.toThrow()
  } finally {
    await bob.close().catch(() => {})
    await proxy.proxy.reload(config)
  }
})

test("a reload that takes an upstream from a server closes its sessions' connections to it", async () => {
  const plain = { ...config, plugins: [] }
  const pair = await startProxy({ ...plain, servers: { pair: { upstreams: ['alpha', 'beta'] } } })
  try {
    const client = await connectClient(pair.url.replace(/\/mcp$/, '/mcp/pair'))
    await client.callTool({ name: 'beta_only', arguments: {} })
    const betaSessions = beta.sessions()
    await pair.proxy.reload({ ...plain, servers: { pair: { upstreams: ['alpha'] } } })
    await waitFor(() => beta.sessions() === betaSessions - 1, "the session's upstream session on beta to end")
    await expect(client.callTool({ name: 'beta_only', arguments: {} })).rejects.toThrow(
      'Unknown tool: beta_only',
    )
    expect((await client.callTool({ name: 'alpha_only', arguments: {} })).content).toEqual([
      { type: 'text', text: 'alpha' },
    ])
    await client.close()
  } finally {
    await pair.stop()
  }
})

test('a reload whose server rules cannot work is refused, and nothing changes', async () => {
  const broken = {
    ...config.servers,
    coding: { upstreams: ['alpha'], tools: { rename: { echo: 'x', fail: 'x' } } },
  }
  await expect(proxy.proxy.reload({ ...config, servers: broken })).rejects.toThrow(
    'servers.coding.tools.rename: expected new names that are not empty and not shared by two tools',
  )
  const coding = await connectClient(`${base()}/mcp/coding`, { headers: as(ALICE) })
  expect(await names(coding)).toContain('echo')
  await coding.close()
})

test('when a reload points /mcp at a server, the sessions opened on the old /mcp end', async () => {
  const plain = { ...config, plugins: [] }
  const reloaded = await startProxy(plain)
  try {
    const client = await connectClient(reloaded.url)
    expect(reloaded.proxy.status().sessions).toBe(1)
    await reloaded.proxy.reload({ ...plain, default: 'coding' })
    await waitFor(() => reloaded.proxy.status().sessions === 0, 'the old /mcp session to end')
    const pointed = await connectClient(reloaded.url)
    expect(pointed.getServerVersion()?.name).toBe('coding')
    await Promise.all([client.close().catch(() => {}), pointed.close()])
  } finally {
    await reloaded.stop()
  }
})

test('default points /mcp at a server, and false turns /mcp off', async () => {
  const pointed = await startProxy({ ...config, plugins: [], default: 'coding' })
  const off = await startProxy({ ...config, plugins: [], default: false })
  try {
    const client = await connectClient(pointed.url)
    expect(client.getServerVersion()?.name).toBe('coding')
    expect(await names(client)).not.toContain('beta_only')
    await client.close()
    // The HTTP+SSE transport at /sse follows default too, and posts where its stream says.
    const legacy = new Client({ name: 'sse-client', version: '1.0.0' })
    await legacy.connect(new SSEClientTransport(new URL(pointed.url.replace(/\/mcp$/, '/sse'))))
    expect(await names(legacy)).toContain('alpha_only')
    await legacy.close()
    const refused = await fetch(off.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }),
    })
    expect(refused.status).toBe(404)
    // No auth plugin: anonymous clients reach servers without `access` rules.
    const served = await connectClient(off.url.replace(/\/mcp$/, '/mcp/coding'))
    expect(await names(served)).toContain('alpha_only')
    await served.close()
  } finally {
    await Promise.all([pointed.stop(), off.stop()])
  }
})
