import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import type { Client } from '@modelcontextprotocol/client'
import { authPlugin } from '../../src/index.ts'
import { type IdentityEchoServer, startIdentityEchoServer } from '../fixtures/identity-echo-server.ts'
import { type ClientEra, connectClient } from '../helpers/clients.ts'
import { type JwtIssuer, startJwtIssuer } from '../helpers/jwt-issuer.ts'
import { type OAuthServer, startOAuthServer } from '../helpers/oauth-server.ts'
import { startProxy, type TestProxy } from '../helpers/start-proxy.ts'

const AUDIENCE = 'https://mcp.example.test/mcp'
const CLIENT = { clientId: 'proxmcp', clientSecret: 'proxmcp-secret' }

let clients: JwtIssuer
let auth: OAuthServer
let echo: IdentityEchoServer
let proxy: TestProxy
const open: Client[] = []

beforeAll(async () => {
  clients = await startJwtIssuer(AUDIENCE)
  auth = await startOAuthServer({
    clients: { [CLIENT.clientId]: { secret: CLIENT.clientSecret } },
    subjectJwksUrl: clients.jwksUrl,
  })
  echo = await startIdentityEchoServer({ jwksUrl: auth.jwksUrl, authorizationServer: auth.issuer })
  proxy = await startProxy({
    upstreams: [
      {
        id: 'echo',
        url: echo.url,
        // The catalog is read with the proxy's own client credentials, found by discovery.
        oauth: { ...CLIENT, issuer: auth.issuer },
        tokenExchange: { ...CLIENT, tokenEndpoint: auth.tokenEndpoint },
      },
    ],
    plugins: [
      authPlugin({ mode: 'jwt', jwksUrl: clients.jwksUrl, issuer: clients.issuer, audience: AUDIENCE }),
    ],
  })
})
afterAll(async () => {
  await Promise.all(open.map((client) => client.close().catch(() => {})))
  await proxy.stop()
  await echo.close()
  await auth.close()
  await clients.close()
})

async function clientOf(sub: string, era: ClientEra, claims: Record<string, unknown> = {}): Promise<Client> {
  const token = await clients.sign({ sub, ...claims })
  const client = await connectClient(proxy.url, { era, headers: { authorization: `Bearer ${token}` } })
  open.push(client)
  return client
}

const subjectOf = (result: unknown) =>
  (result as { structuredContent: { sub: string; act?: string } }).structuredContent

describe.each(['legacy', 'modern'] as const)('token exchange (%s-era clients)', (era) => {
  test('two identities calling the same tool at once each reach the upstream as themselves', async () => {
    const [alice, bob] = await Promise.all([clientOf('alice', era), clientOf('bob', era)])
    const calls = [alice, bob, alice, bob].map((client) =>
      client.callTool({ name: 'slow_whoami', arguments: { ms: 100 } }),
    )
    const answers = (await Promise.all(calls)).map(subjectOf)
    expect(answers).toEqual([
      { sub: 'alice', aud: echo.audience, act: CLIENT.clientId },
      { sub: 'bob', aud: echo.audience, act: CLIENT.clientId },
      { sub: 'alice', aud: echo.audience, act: CLIENT.clientId },
      { sub: 'bob', aud: echo.audience, act: CLIENT.clientId },
    ] as never)
  })
})

test('the catalog was read with the service credential, found through the upstream 401 (discovery)', () => {
  expect(echo.seen.some((seen) => seen.verdict === 'missing')).toBe(true)
  const service = auth.issued.filter((issued) => issued.grant === 'client_credentials')
  expect(service.length).toBeGreaterThanOrEqual(1)
  expect(service[0]).toMatchObject({ sub: CLIENT.clientId, aud: echo.audience })
})

test("no client's own token reaches the upstream, and no 2025 session ever carried another subject's token", () => {
  const subs = new Set(echo.seen.filter((seen) => seen.verdict === 'ok').map((seen) => seen.sub))
  expect([...subs].sort()).toEqual(['alice', 'bob', CLIENT.clientId])
  const issuedUpstream = new Set(auth.issued.map((issued) => issued.token))
  for (const seen of echo.seen) if (seen.token) expect(issuedUpstream.has(seen.token)).toBe(true)
  // The fixture refuses (403) a session request whose token names another subject than its opener.
  expect([...echo.sessions.values()].every((sub) => ['alice', 'bob', CLIENT.clientId].includes(sub))).toBe(
    true,
  )
})

test('an exchanged token is reused until shortly before it expires, then exchanged again', async () => {
  const carol = await clientOf('carol', 'legacy')
  auth.setTokenLifetime(5)
  const exchangesFor = () =>
    auth.issued.filter((issued) => issued.grant === 'token-exchange' && issued.sub === 'carol')
  try {
    await carol.callTool({ name: 'whoami', arguments: {} })
    await carol.callTool({ name: 'whoami', arguments: {} })
    expect(exchangesFor()).toHaveLength(1)
    // Renewed at a fifth of its 5 s left: after 4.1 s it is due.
    await Bun.sleep(4_100)
    expect(subjectOf(await carol.callTool({ name: 'whoami', arguments: {} })).sub).toBe('carol')
    expect(exchangesFor()).toHaveLength(2)
    expect(echo.seen.filter((seen) => seen.sub === 'carol' && seen.verdict === 'expired')).toHaveLength(0)
  } finally {
    auth.setTokenLifetime(300)
  }
})

test('a token the upstream refuses (401) is exchanged again and the call retried once', async () => {
  const dave = await clientOf('dave', 'legacy')
  await dave.callTool({ name: 'whoami', arguments: {} })
  const exchanges = auth.issued.length
  echo.revoke('dave')
  expect(subjectOf(await dave.callTool({ name: 'whoami', arguments: {} })).sub).toBe('dave')
  expect(echo.seen.filter((seen) => seen.sub === undefined && seen.verdict === 'revoked')).toHaveLength(1)
  expect(auth.issued.slice(exchanges).map((issued) => issued.sub)).toEqual(['dave'])
})

test('a failed exchange fails that call only, with a message that says why', async () => {
  const [erin, frank] = await Promise.all([clientOf('erin', 'modern'), clientOf('frank', 'modern')])
  await frank.callTool({ name: 'whoami', arguments: {} })
  auth.failNext(1)
  const failed = await erin.callTool({ name: 'whoami', arguments: {} }).then(
    () => undefined,
    (error: Error) => error,
  )
  expect(failed?.message).toContain("upstream 'echo' could not be authorized: token exchange for 'erin'")
  expect(failed?.message).toContain('invalid_grant')
  expect(subjectOf(await frank.callTool({ name: 'whoami', arguments: {} })).sub).toBe('frank')
  expect(subjectOf(await erin.callTool({ name: 'whoami', arguments: {} })).sub).toBe('erin')
  // The operator is told too, and counts it.
  expect(proxy.logs).toContainEqual(
    expect.stringContaining(
      "token exchange for 'erin' failed: the authorization server refused (invalid_grant",
    ),
  )
  const metrics = await (await fetch(new URL('/metrics', proxy.url))).text()
  expect(metrics).toMatch(
    /proxmcp_upstream_token_requests\{upstream="echo",grant="token_exchange",outcome="failed"\} [1-9]/,
  )
  expect(metrics).toMatch(
    /proxmcp_upstream_token_requests\{upstream="echo",grant="token_exchange",outcome="issued"\} [1-9]/,
  )
  expect(metrics).toMatch(
    /proxmcp_upstream_token_requests\{upstream="echo",grant="client_credentials",outcome="issued"\} [1-9]/,
  )
})

test("a failed exchange on a 2025 session's direct path keeps its upstream session", async () => {
  const heidi = await clientOf('heidi', 'legacy')
  await heidi.callTool({ name: 'whoami', arguments: {} })
  const sessionsOf = () => [...echo.sessions.values()].filter((sub) => sub === 'heidi').length
  expect(sessionsOf()).toBe(1)
  echo.revoke('heidi')
  auth.failNext(1)
  const failed = await heidi.callTool({ name: 'whoami', arguments: {} }).then(
    () => undefined,
    (error: Error) => error,
  )
  expect(failed?.message).toContain("token exchange for 'heidi'")
  expect(subjectOf(await heidi.callTool({ name: 'whoami', arguments: {} })).sub).toBe('heidi')
  expect(sessionsOf()).toBe(1)
})

test('no token of any kind appears in the log', () => {
  const tokens = [
    ...auth.issued.map((issued) => issued.token),
    ...echo.seen.flatMap((seen) => seen.token ?? []),
  ]
  const log = proxy.logs.join('\n')
  for (const token of tokens) expect(log).not.toContain(token)
  expect(log).not.toContain(CLIENT.clientSecret)
})
