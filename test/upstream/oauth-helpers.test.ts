import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import {
  discoverAuthorizationServerMetadata,
  discoverOAuthProtectedResourceMetadata,
} from '@modelcontextprotocol/client'
import { createRemoteJWKSet, decodeJwt, generateKeyPair, jwtVerify, SignJWT } from 'jose'
import {
  type IdentityEchoServer,
  startIdentityEchoServer,
  type TokenVerdict,
} from '../fixtures/identity-echo-server.ts'
import { connectClient } from '../helpers/clients.ts'
import { type JwtIssuer, startJwtIssuer } from '../helpers/jwt-issuer.ts'
import { type OAuthServer, startOAuthServer } from '../helpers/oauth-server.ts'

const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange'
const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token'

let clientIssuer: JwtIssuer
let oauth: OAuthServer
let echo: IdentityEchoServer
const signer = await generateKeyPair('ES256')

beforeAll(async () => {
  clientIssuer = await startJwtIssuer('proxmcp')
  oauth = await startOAuthServer({
    clients: {
      proxy: { secret: 'proxy-secret' },
      'jwt-client': { publicKey: signer.publicKey },
    },
    subjectJwksUrl: clientIssuer.jwksUrl,
  })
  echo = await startIdentityEchoServer({ jwksUrl: oauth.jwksUrl, authorizationServer: oauth.issuer })
})

afterAll(async () => {
  await echo.close()
  await oauth.close()
  await clientIssuer.close()
})

function requestToken(params: Record<string, string>, headers: Record<string, string> = {}) {
  return fetch(oauth.tokenEndpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(params),
  })
}

const basic = (id: string, secret: string) => ({ authorization: `Basic ${btoa(`${id}:${secret}`)}` })

async function exchange(subjectToken: string, resource = echo.url): Promise<string> {
  const response = await requestToken(
    {
      grant_type: TOKEN_EXCHANGE,
      subject_token: subjectToken,
      subject_token_type: ACCESS_TOKEN_TYPE,
      resource,
    },
    basic('proxy', 'proxy-secret'),
  )
  expect(response.status).toBe(200)
  return ((await response.json()) as { access_token: string }).access_token
}

describe('oauth server', () => {
  test('publishes RFC 8414 metadata the SDK accepts', async () => {
    const metadata = await discoverAuthorizationServerMetadata(oauth.issuer)
    expect(metadata?.token_endpoint).toBe(oauth.tokenEndpoint)
    expect(metadata?.grant_types_supported).toContain(TOKEN_EXCHANGE)
    expect(metadata?.token_endpoint_auth_methods_supported).toContain('private_key_jwt')
  })

  test('client_credentials with client_secret_basic issues a JWT for the requested resource', async () => {
    const response = await requestToken(
      { grant_type: 'client_credentials', resource: 'https://api.example/mcp', scope: 'read' },
      basic('proxy', 'proxy-secret'),
    )
    expect(response.status).toBe(200)
    expect(response.headers.get('cache-control')).toBe('no-store')
    const body = (await response.json()) as { access_token: string; token_type: string; scope: string }
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 300, scope: 'read' })
    const { payload, protectedHeader } = await jwtVerify(
      body.access_token,
      createRemoteJWKSet(new URL(oauth.jwksUrl)),
      { issuer: oauth.issuer, audience: 'https://api.example/mcp' },
    )
    expect(protectedHeader.kid).toBeString()
    expect(payload).toMatchObject({ sub: 'proxy', client_id: 'proxy', scope: 'read' })
  })

  test('client_credentials with client_secret_post falls back to the audience parameter', async () => {
    const response = await requestToken({
      grant_type: 'client_credentials',
      client_id: 'proxy',
      client_secret: 'proxy-secret',
      audience: 'billing',
    })
    const { access_token } = (await response.json()) as { access_token: string }
    expect(decodeJwt(access_token)).toMatchObject({ sub: 'proxy', aud: 'billing' })
  })

  test('client_credentials with private_key_jwt accepts an assertion for the token endpoint', async () => {
    const assertion = (audience: string) =>
      new SignJWT({})
        .setProtectedHeader({ alg: 'ES256' })
        .setIssuer('jwt-client')
        .setSubject('jwt-client')
        .setAudience(audience)
        .setJti(crypto.randomUUID())
        .setExpirationTime('1m')
        .sign(signer.privateKey)
    const request = async (audience: string) =>
      requestToken({
        grant_type: 'client_credentials',
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: await assertion(audience),
      })
    const accepted = await request(oauth.tokenEndpoint)
    expect(accepted.status).toBe(200)
    expect(oauth.issued.at(-1)).toMatchObject({ grant: 'client_credentials', clientId: 'jwt-client' })
    expect((await request(oauth.issuer)).status).toBe(200)
    const refused = await request('https://someone-else.example')
    expect(refused.status).toBe(401)
    expect(await refused.json()).toMatchObject({ error: 'invalid_client' })
  })

  test('a wrong secret is invalid_client and an unknown grant is unsupported_grant_type', async () => {
    const wrong = await requestToken({ grant_type: 'client_credentials' }, basic('proxy', 'nope'))
    expect(wrong.status).toBe(401)
    expect(wrong.headers.get('www-authenticate')).toStartWith('Basic')
    expect(await wrong.json()).toMatchObject({ error: 'invalid_client' })
    const unsupported = await requestToken({ grant_type: 'password' }, basic('proxy', 'proxy-secret'))
    expect(unsupported.status).toBe(400)
    expect(await unsupported.json()).toMatchObject({ error: 'unsupported_grant_type' })
  })

  test('failNext refuses exactly the next requests with invalid_grant', async () => {
    oauth.failNext(2)
    const params = { grant_type: 'client_credentials' }
    for (const expected of [400, 400, 200]) {
      expect((await requestToken(params, basic('proxy', 'proxy-secret'))).status).toBe(expected)
    }
    expect(oauth.requests.slice(-3).map((entry) => entry.outcome)).toEqual([
      'invalid_grant',
      'invalid_grant',
      'issued',
    ])
  })

  test('token exchange issues a token for the subject, acted on by the client', async () => {
    const response = await requestToken(
      {
        grant_type: TOKEN_EXCHANGE,
        subject_token: await clientIssuer.sign({ sub: 'alice' }),
        subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
        audience: 'crm',
        scope: 'crm.read',
      },
      basic('proxy', 'proxy-secret'),
    )
    const body = (await response.json()) as { access_token: string }
    expect(body).toMatchObject({
      issued_token_type: ACCESS_TOKEN_TYPE,
      token_type: 'Bearer',
      scope: 'crm.read',
    })
    expect(decodeJwt(body.access_token)).toMatchObject({ sub: 'alice', aud: 'crm', act: { sub: 'proxy' } })
    expect(oauth.issued.at(-1)).toMatchObject({ grant: 'token-exchange', sub: 'alice', aud: 'crm' })
  })

  test('token exchange refuses a forged subject token and a missing target', async () => {
    const forged = await requestToken(
      {
        grant_type: TOKEN_EXCHANGE,
        subject_token: await clientIssuer.forge({ sub: 'mallory' }),
        subject_token_type: ACCESS_TOKEN_TYPE,
        resource: echo.url,
      },
      basic('proxy', 'proxy-secret'),
    )
    expect(forged.status).toBe(400)
    expect(await forged.json()).toMatchObject({ error: 'invalid_grant' })
    const untargeted = await requestToken(
      {
        grant_type: TOKEN_EXCHANGE,
        subject_token: await clientIssuer.sign(),
        subject_token_type: ACCESS_TOKEN_TYPE,
      },
      basic('proxy', 'proxy-secret'),
    )
    expect(await untargeted.json()).toMatchObject({ error: 'invalid_request' })
  })
})

describe('identity echo server', () => {
  test('answers a request without a token with 401 and a pointer to its resource metadata', async () => {
    const response = await fetch(echo.url, { method: 'POST', body: '{}' })
    expect(response.status).toBe(401)
    const challenge = response.headers.get('www-authenticate') ?? ''
    expect(challenge).toContain('/.well-known/oauth-protected-resource/mcp"')
    expect(challenge).not.toContain('error=')
    expect(echo.seen.at(-1)).toEqual({ token: undefined, sub: undefined, verdict: 'missing' })
    const metadata = await discoverOAuthProtectedResourceMetadata(echo.url)
    expect(metadata).toMatchObject({
      resource: echo.url,
      authorization_servers: [oauth.issuer],
      bearer_methods_supported: ['header'],
    })
  })

  test.each(['legacy', 'modern'] as const)(
    'whoami (%s era) names the subject of an exchanged token',
    async (era) => {
      const token = await exchange(await clientIssuer.sign({ sub: 'alice' }))
      const client = await connectClient(echo.url, { era, headers: { authorization: `Bearer ${token}` } })
      const result = await client.callTool({ name: 'whoami', arguments: {} })
      expect(result.content).toEqual([{ type: 'text', text: 'alice' }])
      expect(result.structuredContent).toEqual({ sub: 'alice', aud: echo.url, act: 'proxy' })
      const slow = await client.callTool({ name: 'slow_whoami', arguments: { ms: 20 } })
      expect(slow.structuredContent).toMatchObject({ sub: 'alice' })
      await client.close()
    },
  )

  test('refuses tokens for another audience, expired tokens and tokens of another issuer', async () => {
    const cases: { token: string; verdict: TokenVerdict }[] = [
      {
        token: await exchange(await clientIssuer.sign(), 'https://elsewhere.example/mcp'),
        verdict: 'wrong-audience',
      },
      { token: await clientIssuer.sign({ audience: echo.url }), verdict: 'invalid' },
    ]
    oauth.setTokenLifetime(-60)
    cases.push({ token: await exchange(await clientIssuer.sign()), verdict: 'expired' })
    oauth.setTokenLifetime(300)
    for (const { token, verdict } of cases) {
      const response = await fetch(echo.url, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
      })
      expect(response.status).toBe(401)
      expect(response.headers.get('www-authenticate')).toContain('error="invalid_token"')
      expect(echo.seen.at(-1)?.verdict).toBe(verdict)
    }
  })

  test('refuses a 2025-era session request that carries another subject', async () => {
    const alice = await exchange(await clientIssuer.sign({ sub: 'alice' }))
    const client = await connectClient(echo.url, { headers: { authorization: `Bearer ${alice}` } })
    const [sessionId, opener] = [...echo.sessions].at(-1) ?? []
    expect(opener).toBe('alice')
    const bob = await exchange(await clientIssuer.sign({ sub: 'bob' }))
    const response = await fetch(echo.url, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${bob}`,
        'mcp-session-id': sessionId ?? '',
        'mcp-protocol-version': '2025-11-25',
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'tools/list' }),
    })
    expect(response.status).toBe(403)
    expect(await client.callTool({ name: 'whoami', arguments: {} })).toMatchObject({
      structuredContent: { sub: 'alice' },
    })
    await client.close()
  })
})
