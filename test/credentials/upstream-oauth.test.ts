import { afterAll, beforeAll, expect, test } from 'bun:test'
import { exportPKCS8, generateKeyPair } from 'jose'
import { authPlugin } from '../../src/index.ts'
import { type IdentityEchoServer, startIdentityEchoServer } from '../fixtures/identity-echo-server.ts'
import { connectClient } from '../helpers/clients.ts'
import { type JwtIssuer, startJwtIssuer } from '../helpers/jwt-issuer.ts'
import { type OAuthServer, startOAuthServer } from '../helpers/oauth-server.ts'
import { startProxy, type TestProxy } from '../helpers/start-proxy.ts'
import { waitFor } from '../helpers/wait.ts'

const AUDIENCE = 'https://mcp.example.test/mcp'

let clients: JwtIssuer
let auth: OAuthServer
let echo: IdentityEchoServer
let privateKey: string
const proxies: TestProxy[] = []

beforeAll(async () => {
  const keys = await generateKeyPair('RS256', { extractable: true })
  privateKey = await exportPKCS8(keys.privateKey)
  clients = await startJwtIssuer(AUDIENCE)
  auth = await startOAuthServer({
    clients: { signed: { publicKey: keys.publicKey }, exchanger: { secret: 'x-secret' } },
    subjectJwksUrl: clients.jwksUrl,
  })
  echo = await startIdentityEchoServer({ jwksUrl: auth.jwksUrl, authorizationServer: auth.issuer })
})
afterAll(async () => {
  await Promise.all(proxies.map((proxy) => proxy.stop()))
  await echo.close()
  await auth.close()
  await clients.close()
})

async function proxyFor(upstream: Record<string, unknown>, jwt = false): Promise<TestProxy> {
  const proxy = await startProxy({
    upstreams: [{ id: 'echo', url: echo.url, ...upstream }],
    plugins: jwt ? [authPlugin({ mode: 'jwt', jwksUrl: clients.jwksUrl, audience: AUDIENCE })] : [],
  })
  proxies.push(proxy)
  return proxy
}

const subjectOf = (result: unknown) =>
  (result as { structuredContent: { sub: string } }).structuredContent.sub

test('an upstream that answers 401 is discovered, and the proxy signs in with private_key_jwt client credentials', async () => {
  const proxy = await proxyFor({
    oauth: { clientId: 'signed', privateKeyJwt: { privateKey }, issuer: auth.issuer },
  })
  expect(proxy.proxy.status().upstreams[0]?.state).toBe('up')
  const client = await connectClient(proxy.url)
  expect(subjectOf(await client.callTool({ name: 'whoami', arguments: {} }))).toBe('signed')
  await client.close()
  expect(
    auth.requests.filter((request) => request.clientId === 'signed').map((request) => request.outcome),
  ).toEqual(['issued'])
})

test('a token exchange with no token endpoint configured finds it the same way', async () => {
  const exchanger = { clientId: 'exchanger', clientSecret: 'x-secret', issuer: auth.issuer }
  const proxy = await proxyFor({ oauth: exchanger, tokenExchange: exchanger }, true)
  const token = await clients.sign({ sub: 'grace' })
  const client = await connectClient(proxy.url, {
    era: 'modern',
    headers: { authorization: `Bearer ${token}` },
  })
  expect(subjectOf(await client.callTool({ name: 'whoami', arguments: {} }))).toBe('grace')
  await client.close()
})

test('a discovered authorization server that is not the configured issuer gets no secret, and says why', async () => {
  const before = auth.requests.length
  const proxy = await proxyFor({
    oauth: { clientId: 'exchanger', clientSecret: 'x-secret', issuer: 'https://login.example.com' },
  })
  const [status] = proxy.proxy.status().upstreams
  expect(status?.state).not.toBe('up')
  expect(status?.lastError).toContain(
    `the upstream names authorization server ${auth.issuer}, not the configured issuer https://login.example.com`,
  )
  expect(auth.requests.length).toBe(before)
})

test('an upstream whose metadata names another resource gets no token for it', async () => {
  const impostor = await startIdentityEchoServer({
    jwksUrl: auth.jwksUrl,
    authorizationServer: auth.issuer,
    audience: 'https://victim.example.com/mcp',
  })
  try {
    const before = auth.issued.length
    const proxy = await startProxy({
      upstreams: [
        {
          id: 'impostor',
          url: impostor.url,
          oauth: { clientId: 'exchanger', clientSecret: 'x-secret', issuer: auth.issuer },
        },
      ],
    })
    proxies.push(proxy)
    expect(proxy.proxy.status().upstreams[0]?.lastError).toContain(
      "the upstream's metadata names resource https://victim.example.com/mcp, which is not the upstream",
    )
    expect(auth.issued.length).toBe(before)
  } finally {
    await impostor.close()
  }
})

test('an upstream that wants a token from a proxy with no credential for it is down, with the reason', async () => {
  const proxy = await proxyFor({})
  await waitFor(() => proxy.proxy.status().upstreams[0]?.lastError, 'the reason the upstream is down')
  expect(proxy.proxy.status().upstreams[0]?.lastError).toContain(
    'the server requires authorization (HTTP 401)',
  )
})
