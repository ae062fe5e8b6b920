/**
 * The whole proxy with no socket and no process: a real SDK client talks to the Hono app through
 * `app.request`, and the proxy reaches its upstreams (the v2 fixture, both eras) through an
 * in-memory `fetch`. Fast enough to run on every change.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test'
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client'
import { ProxMCP } from '../../src/proxy.ts'
import { v2Handler } from '../fixtures/v2-server.ts'

const upstreams = { alpha: v2Handler('alpha'), beta: v2Handler('beta') }
let proxy: ProxMCP

/** Routes each upstream URL's requests to its in-memory handler. */
function inMemoryFetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
  const request = new Request(input, init)
  const host = new URL(request.url).hostname as keyof typeof upstreams
  return upstreams[host].fetch(request)
}

/** A request to the app as Bun.serve would hand it over, with the Host header a client sends. */
function app(path: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers)
  headers.set('host', 'localhost')
  return Promise.resolve(proxy.getApp().request(`http://localhost${path}`, { ...init, headers }))
}

async function connect(era: 'legacy' | 'modern'): Promise<Client> {
  const client = new Client(
    { name: 'unit', version: '1' },
    { versionNegotiation: { mode: era === 'modern' ? { pin: '2026-07-28' } : 'legacy' } },
  )
  await client.connect(
    new StreamableHTTPClientTransport(new URL('http://localhost/mcp'), {
      fetch: (url, init) => app(new URL(url).pathname, init),
    }),
  )
  return client
}

beforeAll(async () => {
  proxy = new ProxMCP({
    upstreams: [
      { id: 'alpha', url: 'http://alpha/mcp' },
      { id: 'beta', url: 'http://beta/mcp' },
    ],
    fetch: inMemoryFetch,
  })
  await proxy.start()
})
afterAll(async () => {
  await proxy.stop()
  await Promise.all(Object.values(upstreams).map((upstream) => upstream.close()))
})

test('status() shows both upstreams up, with what each lists', () => {
  const { upstreams: listed, sessions } = proxy.status()
  expect(listed.map(({ id, state, transport }) => ({ id, state, transport }))).toEqual([
    { id: 'alpha', state: 'up', transport: 'streamable-http' },
    { id: 'beta', state: 'up', transport: 'streamable-http' },
  ])
  expect(listed[0]?.tools).toBeGreaterThan(0)
  expect(sessions).toBe(0)
})

test.each(['legacy', 'modern'] as const)(
  'a %s-era client lists the merged tools and calls one through the proxy',
  async (era) => {
    const before = proxy.status().sessions
    const client = await connect(era)
    const names = (await client.listTools()).tools.map((tool) => tool.name)
    expect(names).toEqual(expect.arrayContaining(['echo', 'progress']))
    const echo = await client.callTool({ name: 'echo', arguments: { text: 'hi' } })
    // Conflicting names go to the first upstream in config order.
    expect(echo.structuredContent).toEqual({ text: 'hi', server: 'alpha' })
    // A 2025-era client holds a session; a 2026-07-28 one holds none.
    expect(proxy.status().sessions).toBe(era === 'legacy' ? before + 1 : before)
    await client.close()
  },
)

test('progress comes back under the client token, then the result', async () => {
  const client = await connect('legacy')
  const seen: number[] = []
  const result = await client.callTool(
    { name: 'progress', arguments: { steps: 2 } },
    { onprogress: ({ progress }) => seen.push(progress) },
  )
  expect(seen).toEqual([1, 2])
  expect(result.isError).toBeFalsy()
  await client.close()
})

const JSON_RPC_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }

test.each([
  ['a body that is not JSON', { headers: JSON_RPC_HEADERS, body: '{' }, 400, -32700],
  ['a JSON body that is not JSON-RPC', { headers: JSON_RPC_HEADERS, body: '{"hello":1}' }, 400, -32600],
  [
    'the wrong Content-Type',
    { headers: { ...JSON_RPC_HEADERS, 'content-type': 'text/plain' }, body: '{}' },
    415,
    -32000,
  ],
  [
    'an Accept without event streams',
    { headers: { ...JSON_RPC_HEADERS, accept: 'application/json' }, body: '{}' },
    406,
    -32000,
  ],
  [
    'a session id the proxy never gave',
    {
      headers: { ...JSON_RPC_HEADERS, 'mcp-session-id': 'nope', 'mcp-protocol-version': '2025-11-25' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    },
    404,
    -32001,
  ],
] as const)('%s is refused with its HTTP status and JSON-RPC code', async (_what, init, status, code) => {
  const response = await app('/mcp', { method: 'POST', ...init })
  expect(response.status).toBe(status)
  expect(((await response.json()) as { error: { code: number } }).error.code).toBe(code)
})

test('a method the endpoint does not take is 405', async () => {
  const response = await app('/mcp', { method: 'PUT' })
  expect(response.status).toBe(405)
})
