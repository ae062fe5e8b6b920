import { expect, test } from 'bun:test'
import { TokenIssuer } from '../../../src/credentials/token-issuer.ts'

const UPSTREAM = 'https://mcp.example.com/mcp'
const ISSUER = 'https://login.example.com'

/** An upstream and its authorization server as discovery reads them: documents by URL. */
function documents(tokenEndpoint: string, resource = UPSTREAM) {
  const served: Record<string, unknown> = {
    'https://mcp.example.com/.well-known/oauth-protected-resource/mcp': {
      resource,
      authorization_servers: [ISSUER],
    },
    'https://login.example.com/.well-known/oauth-authorization-server': {
      issuer: ISSUER,
      token_endpoint: tokenEndpoint,
      authorization_endpoint: `${ISSUER}/authorize`,
      response_types_supported: ['code'],
    },
  }
  return async (url: string | URL) => {
    const body = served[String(url)]
    return body ? Response.json(body) : new Response('not found', { status: 404 })
  }
}

const refusal = new Response(null, {
  status: 401,
  headers: {
    'www-authenticate':
      'Bearer resource_metadata="https://mcp.example.com/.well-known/oauth-protected-resource/mcp"',
  },
})
const client = { clientId: 'proxmcp', clientSecret: 's', issuer: ISSUER }

test('discovery finds the token endpoint of the configured issuer', async () => {
  const issuer = new TokenIssuer(UPSTREAM, client, documents(`${ISSUER}/token`))
  expect(issuer.ready).toBe(false)
  expect(await issuer.learnFrom(refusal)).toBe(true)
  expect(issuer.ready).toBe(true)
})

test('a token endpoint that is not https gets no secret', async () => {
  const issuer = new TokenIssuer(UPSTREAM, client, documents('http://login.example.com/token'))
  await expect(issuer.learnFrom(refusal)).rejects.toThrow(
    'the token endpoint http://login.example.com/token is not https',
  )
  expect(issuer.ready).toBe(false)
})

test('metadata naming another resource than the upstream gets no token for it', async () => {
  const issuer = new TokenIssuer(
    UPSTREAM,
    client,
    documents(`${ISSUER}/token`, 'https://bank.example.com/mcp'),
  )
  await expect(issuer.learnFrom(refusal)).rejects.toThrow(
    "the upstream's metadata names resource https://bank.example.com/mcp, which is not the upstream",
  )
})
