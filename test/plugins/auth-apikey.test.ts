import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { authPlugin, loggerPlugin, type ProxMCPPlugin } from '../../src/index.ts'
import { createContext } from '../../src/plugins/context.ts'
import { type RunningFixture, serveV1Http } from '../fixtures/v1-server.ts'
import { connectClient } from '../helpers/clients.ts'
import { type HeaderRecorder, recordHeaders } from '../helpers/header-recorder.ts'
import { postRpc } from '../helpers/mcp-http.ts'
import { startProxy, type TestProxy } from '../helpers/start-proxy.ts'

const ALICE = 'sk-alice-0123456789abcdef'
const BOB = 'sk-bob-fedcba9876543210'
const eras = ['legacy', 'modern'] as const

let alpha: RunningFixture
let recorder: HeaderRecorder
let proxy: TestProxy
const identities: (string | undefined)[] = []
const requestLog: string[] = []

/** Remembers who each request was from, as later plugins see it. */
const whoami: ProxMCPPlugin = {
  name: 'whoami',
  onRequest: (ctx) => void identities.push(ctx.identity),
}

beforeAll(async () => {
  alpha = serveV1Http({ name: 'alpha' })
  recorder = recordHeaders(alpha.url)
  proxy = await startProxy({
    upstreams: [{ id: 'alpha', url: recorder.url }],
    plugins: [
      authPlugin({
        mode: 'apikey',
        keys: { alice: ALICE, bob: BOB },
        access: { alice: ['*'], '*': ['echo'] },
      }),
      whoami,
      loggerPlugin({ format: 'json', bodies: true, sink: (line) => void requestLog.push(line) }),
    ],
  })
})
afterAll(async () => {
  await proxy.stop()
  await recorder.close()
  await alpha.close()
})

describe.each(eras)('%s-era clients', (era) => {
  test.each([
    ['Authorization: Bearer', { authorization: `Bearer ${ALICE}` }],
    ['X-API-Key', { 'x-api-key': ALICE }],
  ])('with the key in %s are served, as their identity', async (_how, headers) => {
    identities.length = 0
    const client = await connectClient(proxy.url, { era, headers })
    expect((await client.callTool({ name: 'alpha_only', arguments: {} })).content).toEqual([
      { type: 'text', text: 'alpha' },
    ])
    await client.close()
    expect(identities.filter(Boolean)).not.toHaveLength(0)
    expect(new Set(identities.filter(Boolean))).toEqual(new Set(['alice']))
  })

  test.each([
    ['no key', {}],
    ['a wrong key', { authorization: 'Bearer sk-alice-0123456789abcdeX' }],
    ['a prefix of a key', { 'x-api-key': ALICE.slice(0, -1) }],
  ])('with %s are refused with 401', async (_what, headers) => {
    const refused = await connectClient(proxy.url, { era, headers }).catch((error) => error)
    expect(refused).toBeInstanceOf(Error)
    expect(String(refused)).toMatch(/401|Unauthorized/i)
  })

  test('see and call only the tools their identity may use; a hidden tool is an unknown tool', async () => {
    const client = await connectClient(proxy.url, { era, headers: { 'x-api-key': BOB } })
    expect((await client.listTools()).tools.map((tool) => tool.name)).toEqual(['echo'])
    const hidden = await client.callTool({ name: 'alpha_only', arguments: {} }).catch((error) => error)
    expect(hidden.message).toContain('Unknown tool: alpha_only')
    expect((await client.callTool({ name: 'echo', arguments: { text: 'hi' } })).content).toEqual([
      { type: 'text', text: 'alpha:hi' },
    ])
    await client.close()
    const everything = await connectClient(proxy.url, { era, headers: { 'x-api-key': ALICE } })
    expect((await everything.listTools()).tools.length).toBeGreaterThan(5)
    await everything.close()
  })
})

test('a 401 carries WWW-Authenticate: Bearer realm="proxmcp" and a JSON body', async () => {
  const missing = await postRpc(proxy.url)
  expect(missing.status).toBe(401)
  expect(missing.headers.get('www-authenticate')).toBe('Bearer realm="proxmcp"')
  expect(await missing.json()).toEqual({ error: 'unauthorized', message: expect.stringContaining('API key') })
  const wrong = await postRpc(proxy.url, { authorization: 'Bearer nope' })
  expect(wrong.status).toBe(401)
  expect(wrong.headers.get('www-authenticate')).toStartWith('Bearer realm="proxmcp", error="invalid_token"')
})

test.each([
  ['GET', '/mcp'],
  ['DELETE', '/mcp'],
  ['GET', '/sse'],
])('%s %s without a key is refused too', async (method, path) => {
  const response = await fetch(new URL(path, proxy.url), {
    method,
    headers: { accept: 'text/event-stream', 'mcp-session-id': 'x' },
  })
  expect(response.status).toBe(401)
})

test('discovery paths stay public: no plugin answers them, so they are 404, not 401', async () => {
  expect((await fetch(new URL('/.well-known/oauth-protected-resource/mcp', proxy.url))).status).toBe(404)
})

test('the upstream never sees the client key: no Authorization and no X-API-Key are forwarded', async () => {
  recorder.seen.length = 0
  for (const era of eras) {
    for (const headers of [{ authorization: `Bearer ${ALICE}` }, { 'x-api-key': ALICE }] as Record<
      string,
      string
    >[]) {
      const client = await connectClient(proxy.url, { era, headers })
      await client.callTool({ name: 'echo', arguments: { text: 'x' } })
      await client.close()
    }
  }
  expect(recorder.seen.length).toBeGreaterThan(0)
  for (const headers of recorder.seen) {
    expect(headers.has('authorization')).toBe(false)
    expect(headers.has('x-api-key')).toBe(false)
    expect([...headers.values()].join(' ')).not.toContain(ALICE)
  }
})

test('no key appears in any log line: the proxy log or the request log, refused requests included', async () => {
  await postRpc(proxy.url, { authorization: `Bearer ${ALICE}x` })
  const client = await connectClient(proxy.url, { headers: { 'x-api-key': BOB } })
  await client.callTool({ name: 'echo', arguments: { text: 'y' } })
  await client.close()
  const lines = [...proxy.logs, ...requestLog]
  expect(requestLog.some((line) => line.includes('"identity":"bob"'))).toBe(true)
  expect(requestLog.some((line) => line.includes('"status":401'))).toBe(true)
  for (const line of lines) {
    expect(line).not.toContain(ALICE)
    expect(line).not.toContain(BOB)
  }
})

describe('keys option', () => {
  test.each([
    ['one key', 'k1', ['key-1']],
    ['a comma-separated list', ' k1, k2 ,k3', ['key-1', 'key-2', 'key-3']],
    ['an array', ['k1', 'k2'], ['key-1', 'key-2']],
  ])('%s: unnamed keys are key-1, key-2, … by position', async (_what, keys, expected) => {
    const plugin = authPlugin({ mode: 'apikey', keys })
    const seen: (string | undefined)[] = []
    for (const key of ['k1', 'k2', 'k3']) {
      const request = new Request('http://localhost/mcp', { headers: { 'x-api-key': key } })
      const ctx = createContext({ request, path: '/mcp', clientAddress: '127.0.0.1' })
      const refused = await plugin.onRequest?.(ctx, request)
      seen.push(refused ? undefined : ctx.identity)
    }
    expect(seen.filter(Boolean)).toEqual(expected)
  })

  test.each([
    ['no keys', ''],
    ['an empty named key', { ci: '' }],
    ['the same key twice', ['k1', 'k1']],
  ])('%s is a configuration error', (_what, keys) => {
    expect(() => authPlugin({ mode: 'apikey', keys })).toThrow('authPlugin')
  })
})
