import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { SignJWT } from 'jose'
import { authPlugin, type JwtAuthOptions, type ProxMCPPlugin } from '../../src/index.ts'
import { createContext } from '../../src/plugins/context.ts'
import { type RunningFixture, serveV1Http } from '../fixtures/v1-server.ts'
import { connectClient } from '../helpers/clients.ts'
import { type JwtIssuer, startJwtIssuer } from '../helpers/jwt-issuer.ts'
import { postRpc } from '../helpers/mcp-http.ts'
import { startProxy, type TestProxy } from '../helpers/start-proxy.ts'
import { freePort } from '../helpers/wait.ts'

const AUDIENCE = 'https://mcp.example.test/mcp'

let alpha: RunningFixture
let issuer: JwtIssuer
let proxy: TestProxy
let metadataUrl: string
const identities: (string | undefined)[] = []

beforeAll(async () => {
  alpha = serveV1Http({ name: 'alpha' })
  issuer = await startJwtIssuer(AUDIENCE)
  proxy = await startProxy({
    upstreams: [{ id: 'alpha', url: alpha.url }],
    servers: { coding: { upstreams: ['alpha'] }, other: { upstreams: ['alpha'] } },
    plugins: [
      authPlugin({
        ...againstIssuer(),
        scopesSupported: ['mcp:tools'],
        access: { alice: ['*'], '*': ['echo'] },
      }),
      { name: 'whoami', onRequest: (ctx) => void identities.push(ctx.identity) },
    ],
  })
  metadataUrl = new URL('/.well-known/oauth-protected-resource/mcp', proxy.url).href
})
afterAll(async () => {
  await proxy.stop()
  await issuer.close()
  await alpha.close()
})

const bearer = (token: string) => ({ authorization: `Bearer ${token}` })

/** JWT mode against the test issuer's JWKS. */
function againstIssuer(): JwtAuthOptions {
  return { mode: 'jwt', jwksUrl: issuer.jwksUrl, issuer: issuer.issuer, audience: AUDIENCE }
}

describe.each(['legacy', 'modern'] as const)('%s-era clients', (era) => {
  test('with a valid token are served, as its subject', async () => {
    identities.length = 0
    const client = await connectClient(proxy.url, { era, headers: bearer(await issuer.sign()) })
    expect((await client.callTool({ name: 'alpha_only', arguments: {} })).content).toEqual([
      { type: 'text', text: 'alpha' },
    ])
    await client.close()
    expect(new Set(identities)).toEqual(new Set(['alice']))
  })

  test('without a token are refused', async () => {
    const refused = await connectClient(proxy.url, { era }).catch((error) => error)
    expect(String(refused)).toMatch(/401|Unauthorized/i)
  })

  test('see only the tools their subject may use', async () => {
    const client = await connectClient(proxy.url, { era, headers: bearer(await issuer.sign({ sub: 'bob' })) })
    expect((await client.listTools()).tools.map((tool) => tool.name)).toEqual(['echo'])
    const hidden = await client.callTool({ name: 'fail', arguments: {} }).catch((error) => error)
    expect(hidden.message).toContain('Unknown tool: fail')
    await client.close()
  })
})

test('a virtual server is a resource of its own: its 401 points to its own metadata, which names it', async () => {
  const serverUrl = `${proxy.url}/coding`
  const ownMetadata = new URL('/.well-known/oauth-protected-resource/mcp/coding', proxy.url).href
  const response = await postRpc(serverUrl)
  expect(response.status).toBe(401)
  expect(response.headers.get('www-authenticate')).toBe(
    `Bearer realm="proxmcp", resource_metadata="${ownMetadata}"`,
  )
  const metadata = await (await fetch(ownMetadata)).json()
  expect(metadata).toMatchObject({ resource: serverUrl, authorization_servers: [issuer.issuer] })
})

test('a token meant for one virtual server (RFC 8707 resource) is taken there, and nowhere else', async () => {
  const token = await issuer.sign({ sub: 'alice', audience: `${proxy.url}/coding` })
  const coding = await connectClient(`${proxy.url}/coding`, { headers: bearer(token) })
  expect((await coding.listTools()).tools.map((tool) => tool.name)).toContain('alpha_only')
  await coding.close()
  for (const url of [proxy.url, `${proxy.url}/other`]) {
    const response = await postRpc(url, bearer(token))
    expect(response.status).toBe(401)
    expect(response.headers.get('www-authenticate')).toContain(`error="invalid_token"`)
  }
})

test('a request without a token gets 401 pointing to the Protected Resource Metadata', async () => {
  const response = await postRpc(proxy.url)
  expect(response.status).toBe(401)
  expect(response.headers.get('www-authenticate')).toBe(
    `Bearer realm="proxmcp", resource_metadata="${metadataUrl}"`,
  )
  expect((await response.json()).error).toBe('unauthorized')
})

test.each([
  ['its path-aware URL', '/.well-known/oauth-protected-resource/mcp'],
  ['the root URL clients probe last', '/.well-known/oauth-protected-resource'],
])(
  'the Protected Resource Metadata at %s names the resource and its authorization server',
  async (_at, path) => {
    const response = await fetch(new URL(path, proxy.url))
    expect(response.status).toBe(200)
    expect(response.headers.get('access-control-allow-origin')).toBe('*')
    expect(await response.json()).toEqual({
      resource: proxy.url,
      authorization_servers: [issuer.issuer],
      scopes_supported: ['mcp:tools'],
    })
  },
)

test('other discovery paths are not this plugin’s: 404', async () => {
  expect((await fetch(new URL('/.well-known/openid-configuration', proxy.url))).status).toBe(404)
})

const now = () => Math.floor(Date.now() / 1000)

test.each([
  ['expired', () => issuer.sign({ exp: now() - 120 }), 'expired'],
  ['for another audience', () => issuer.sign({ audience: 'https://other.example.test/mcp' }), "'aud'"],
  ['from another issuer', () => issuer.sign({ iss: 'https://evil.example.test' }), "'iss'"],
  ['with a bad signature', () => issuer.forge(), 'signature'],
  ['without a subject', () => issuer.sign({ sub: undefined }), "'sub'"],
  ['not a JWT at all', async () => 'not-a-jwt', 'malformed'],
  [
    'unsigned (alg none)',
    async () => `${btoa(JSON.stringify({ alg: 'none' }))}.${btoa(JSON.stringify({ sub: 'alice' }))}.`,
    'malformed',
  ],
])('a token %s gets 401 invalid_token', async (_what, token, reason) => {
  const response = await postRpc(proxy.url, bearer(await token()))
  expect(response.status).toBe(401)
  const challenge = response.headers.get('www-authenticate') ?? ''
  expect(challenge).toStartWith('Bearer realm="proxmcp", error="invalid_token", error_description="')
  expect(challenge).toContain(reason)
  expect(challenge).toEndWith(`resource_metadata="${metadataUrl}"`)
})

test('clock skew within the tolerance (30 s by default) is accepted', async () => {
  const justExpired = await issuer.sign({ exp: now() - 10 })
  const notYetValid = await issuer.sign({ nbf: now() + 10 })
  for (const token of [justExpired, notYetValid]) {
    expect((await postRpc(proxy.url, bearer(token))).status).not.toBe(401)
  }
})

describe('required scopes', () => {
  let scoped: TestProxy
  beforeAll(async () => {
    scoped = await startProxy({
      upstreams: [{ id: 'alpha', url: alpha.url }],
      plugins: [authPlugin({ ...againstIssuer(), requiredScopes: ['mcp:tools'] })],
    })
  })
  afterAll(() => scoped.stop())

  test('a token without them gets 403 insufficient_scope', async () => {
    const response = await postRpc(scoped.url, bearer(await issuer.sign({ scope: 'profile' })))
    expect(response.status).toBe(403)
    expect(response.headers.get('www-authenticate')).toContain(
      'error="insufficient_scope", scope="mcp:tools"',
    )
    expect((await response.json()).error).toBe('forbidden')
  })

  test.each([
    ['scope', { scope: 'profile mcp:tools' }],
    ['scp as a list', { scp: ['mcp:tools'] }],
  ])('a token with them in %s is served', async (_where, claims) => {
    const client = await connectClient(scoped.url, { headers: bearer(await issuer.sign(claims)) })
    expect((await client.listTools()).tools.length).toBeGreaterThan(0)
    await client.close()
  })
})

test('an unreachable JWKS is the proxy’s failure (500, logged), not the client’s (401)', async () => {
  const broken = await startProxy({
    upstreams: [{ id: 'alpha', url: alpha.url }],
    plugins: [
      authPlugin({ mode: 'jwt', jwksUrl: `http://127.0.0.1:${freePort()}/jwks.json`, audience: AUDIENCE }),
    ],
  })
  const response = await postRpc(broken.url, bearer(await issuer.sign()))
  expect(response.status).toBe(500)
  expect(broken.logs.some((line) => line.startsWith("error: plugin 'auth' failed in onRequest"))).toBe(true)
  await broken.stop()
})

/** Runs the plugin's onRequest on a bare request: the identity, or the refusal's status. */
async function verdict(plugin: ProxMCPPlugin, token: string): Promise<string | number> {
  const request = new Request('http://127.0.0.1/mcp', { method: 'POST', headers: bearer(token) })
  const ctx = createContext({ request, path: '/mcp', clientAddress: '127.0.0.1' })
  const refusal = await plugin.onRequest?.(ctx, request)
  return refusal ? refusal.status : (ctx.identity as string)
}

test('a static public key (SPKI PEM) verifies tokens without a JWKS', async () => {
  const plugin = authPlugin({ mode: 'jwt', publicKey: issuer.publicKeyPem, audience: AUDIENCE })
  expect(await verdict(plugin, await issuer.sign())).toBe('alice')
  expect(await verdict(plugin, await issuer.forge())).toBe(401)
})

test('a shared secret verifies HS256 tokens; identityClaim picks the identity', async () => {
  const secret = 'a-shared-secret-of-at-least-32-bytes!!'
  const plugin = authPlugin({ mode: 'jwt', secret, audience: AUDIENCE, identityClaim: 'client_id' })
  const sign = (key: string) =>
    new SignJWT({ client_id: 'ci-bot' })
      .setProtectedHeader({ alg: 'HS256' })
      .setAudience(AUDIENCE)
      .setExpirationTime('1m')
      .sign(new TextEncoder().encode(key))
  expect(await verdict(plugin, await sign(secret))).toBe('ci-bot')
  expect(await verdict(plugin, await sign(`${secret}?`))).toBe(401)
})

test('a token without exp is refused: expiry is required', async () => {
  const secret = 'a-shared-secret-of-at-least-32-bytes!!'
  const plugin = authPlugin({ mode: 'jwt', secret, audience: AUDIENCE })
  const token = await new SignJWT({ sub: 'alice' })
    .setProtectedHeader({ alg: 'HS256' })
    .setAudience(AUDIENCE)
    .sign(new TextEncoder().encode(secret))
  expect(await verdict(plugin, token)).toBe(401)
})

test.each([
  ['no key source', { audience: AUDIENCE }, "exactly one of 'jwksUrl', 'publicKey' or 'secret'"],
  ['two key sources', { secret: 's', jwksUrl: 'https://a.test/jwks', audience: AUDIENCE }, 'exactly one'],
  ['no audience', { secret: 's' }, "needs 'audience'"],
  [
    'a plain-http authorization server',
    { secret: 's', audience: AUDIENCE, authorizationServers: ['http://auth.example.test'] },
    'HTTPS',
  ],
])('%s is a configuration error', (_what, options, message) => {
  expect(() => authPlugin({ mode: 'jwt', ...options } as JwtAuthOptions)).toThrow(message)
})
