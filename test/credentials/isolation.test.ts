import { afterAll, beforeAll, expect, test } from 'bun:test'
import type { Client } from '@modelcontextprotocol/client'
import { authPlugin, type ProxMCPPlugin } from '../../src/index.ts'
import { serveV1Http } from '../fixtures/v1-server.ts'
import { type ClientEra, connectClient } from '../helpers/clients.ts'
import {
  API_KEYS,
  apiKeyClients,
  type PersonalTokens,
  startPersonalTokens,
  type Who,
} from '../helpers/personal-tokens.ts'
import { startProxy, type TestProxy } from '../helpers/start-proxy.ts'
import { freePort, waitFor } from '../helpers/wait.ts'

let world: PersonalTokens
const proxies: TestProxy[] = []
const clients = apiKeyClients()
const anonymous: Client[] = []

beforeAll(async () => {
  world = await startPersonalTokens(['alice-pat', 'bob-pat', 'bot'], {
    toolsFor: { 'alice-pat': ['alice_tool'], bot: ['rotate_bot_keys'] },
    commonTools: false,
  })
})
afterAll(async () => {
  await clients.closeAll()
  await Promise.all(anonymous.map((client) => client.close()))
  await Promise.all(proxies.map((proxy) => proxy.stop()))
  await world.close()
})

const bearer = (owner: string) => world.bearer(owner)

async function proxyWith(
  upstream: Record<string, unknown>,
  plugins?: ProxMCPPlugin[],
  extra = {},
): Promise<TestProxy> {
  const proxy = await startProxy({
    upstreams: [{ id: 'gh', url: world.echo.url, ...upstream }],
    plugins: plugins ?? [authPlugin({ mode: 'apikey', keys: API_KEYS })],
    ...extra,
  })
  proxies.push(proxy)
  return proxy
}

const clientOf = (proxy: TestProxy, who: Who, era: ClientEra = 'legacy') =>
  clients.connect(proxy.url, who, era)

const namesOf = async (client: Client) => (await client.listTools()).tools.map((tool) => tool.name).sort()
const failureOf = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: { code?: number; message: string }) => error,
  )

test("an identity named '' is an identity like any other, never the service", async () => {
  const asNobody: ProxMCPPlugin = {
    name: 'empty-identity',
    onRequest: (ctx) => {
      ctx.identity = ''
      return undefined
    },
  }
  const proxy = await proxyWith(
    {
      headers: () => undefined,
      oauth: { clientId: 'bot', clientSecret: 's', tokenEndpoint: world.auth.tokenEndpoint },
    },
    [asNobody],
  )
  const client = await connectClient(proxy.url)
  anonymous.push(client)
  expect(await namesOf(client)).toEqual(['rotate_bot_keys', 'slow_whoami', 'whoami'])
  const failure = await failureOf(client.callTool({ name: 'rotate_bot_keys', arguments: {} }))
  expect(failure?.message).toContain("Forbidden: identity '' has no credential for upstream 'gh'")
})

test('lists per identity: an identity sees its own tools even where the service credential lists none of them', async () => {
  const proxy = await proxyWith({
    headers: bearer('bot'),
    credentials: { alice: { headers: bearer('alice-pat') }, bob: { headers: bearer('bob-pat') } },
    listsPerIdentity: true,
  })
  const [alice, bob] = await Promise.all([clientOf(proxy, 'alice'), clientOf(proxy, 'bob')])
  expect(await namesOf(alice)).toEqual(['alice_tool', 'slow_whoami', 'whoami'])
  expect(await namesOf(bob)).toEqual([])
  const called = await alice.callTool({ name: 'alice_tool', arguments: {} })
  expect((called as { structuredContent: { sub: string } }).structuredContent.sub).toBe('alice-pat')
})

test("lists per identity with withoutCredential 'deny': an identity without one is never shown the service credential's tools", async () => {
  const proxy = await proxyWith({
    headers: bearer('bot'),
    credentials: { alice: { headers: bearer('alice-pat') } },
    listsPerIdentity: true,
    withoutCredential: 'deny',
  })
  const carol = await clientOf(proxy, 'carol')
  expect(await namesOf(carol)).toEqual([])
})

test("one identity's refused credential does not change how the others' 2025 sessions connect", async () => {
  const proxy = await proxyWith({
    headers: bearer('bot'),
    credentials: {
      alice: { headers: bearer('alice-pat') },
      bob: { headers: { authorization: 'Bearer not-a-token' } },
    },
  })
  const bob = await clientOf(proxy, 'bob')
  expect((await failureOf(bob.callTool({ name: 'whoami', arguments: {} })))?.message).toContain(
    'invalid_token',
  )
  const sessionsBefore = [...world.echo.sessions.values()].filter((sub) => sub === 'alice-pat').length
  const alice = await clientOf(proxy, 'alice')
  await alice.callTool({ name: 'whoami', arguments: {} })
  const sessionsAfter = [...world.echo.sessions.values()].filter((sub) => sub === 'alice-pat').length
  // Alice's 2025-era client still gets a 2025-era upstream session of her own.
  expect(sessionsAfter).toBe(sessionsBefore + 1)
})

test('on Workers-style per-request connections, concurrent calls of one identity each get their own', async () => {
  const proxy = await proxyWith(
    { headers: bearer('bot'), credentials: { alice: { headers: bearer('alice-pat') } } },
    undefined,
    { upstreamConnections: 'per-request' },
  )
  const alice = await clientOf(proxy, 'alice', 'modern')
  const answers = await Promise.all([1, 2, 3].map(() => alice.callTool({ name: 'whoami', arguments: {} })))
  expect(
    answers.map((answer) => (answer as { structuredContent: { sub: string } }).structuredContent.sub),
  ).toEqual(['alice-pat', 'alice-pat', 'alice-pat'])
})

test("an identity's connection outlives an upstream restart: the call after it opens a new upstream session", async () => {
  const port = freePort()
  let upstream = serveV1Http({ name: 'restarting', port })
  const proxy = await proxyWith({
    url: upstream.url,
    credentials: { alice: { headers: { 'x-user': 'alice' } } },
  })
  try {
    const alice = await clientOf(proxy, 'alice', 'modern')
    await alice.callTool({ name: 'echo', arguments: { text: 'before' } })
    await upstream.close()
    upstream = serveV1Http({ name: 'restarting', port })
    // Calls fail while the proxy finds out (the session is unknown, the connection closed), then succeed again.
    const after = await waitFor(
      () => alice.callTool({ name: 'echo', arguments: { text: 'after' } }).catch(() => undefined),
      "alice's calls to succeed again",
      10_000,
    )
    expect(JSON.stringify(after)).toContain('after')
  } finally {
    await upstream.close()
  }
})

test("an identity's credential is never carried to where an upstream redirects (the direct path follows no redirect)", async () => {
  const upstream = serveV1Http({ name: 'redirecting' })
  const elsewhere: (string | null)[] = []
  const other = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    fetch: (request) => {
      elsewhere.push(request.headers.get('x-api-token'))
      return new Response('not here', { status: 404 })
    },
  })
  let redirecting = false
  // In front of the upstream: passes every request on, until it starts sending calls elsewhere.
  const front = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    idleTimeout: 0,
    fetch: (request) =>
      redirecting && request.method === 'POST'
        ? new Response(null, { status: 307, headers: { location: `http://127.0.0.1:${other.port}/mcp` } })
        : fetch(new Request(upstream.url, request)),
  })
  const proxy = await proxyWith({
    url: `http://127.0.0.1:${front.port}/mcp`,
    credentials: { alice: { headers: { 'x-api-token': 'alice-secret' } } },
  })
  try {
    const alice = await clientOf(proxy, 'alice')
    await alice.callTool({ name: 'echo', arguments: { text: 'before' } })
    redirecting = true
    const failure = await failureOf(alice.callTool({ name: 'echo', arguments: { text: 'redirected' } }))
    expect(failure?.message).toContain("upstream 'gh'")
    expect(elsewhere).toEqual([])
  } finally {
    await front.stop(true)
    await other.stop(true)
    await upstream.close()
  }
})
