import * as v from 'valibot'
import { httpUrl, stringMap } from './schema-parts.ts'

/**
 * Headers for one identity. Connections are kept per identity, so it is called with the identity
 * (each time its headers are needed, so a token it looks up may change), never with one request.
 */
export type HeadersFunction = (who: {
  identity: string
}) => Record<string, string> | undefined | Promise<Record<string, string> | undefined>

const headersFunction = v.custom<HeadersFunction>(
  (value) => typeof value === 'function',
  'expected a map of header names to values, or a function of the identity',
)

/** How ProxMCP authenticates itself to an authorization server: a client secret or a signed assertion. */
const oauthClient = {
  clientId: v.string('expected the client id'),
  clientSecret: v.optional(v.string('expected a string')),
  /** RFC 7523 `private_key_jwt`: a PKCS#8 PEM or a JWK private key, and its algorithm. */
  privateKeyJwt: v.optional(
    v.strictObject({
      privateKey: v.union([v.string(), v.record(v.string(), v.unknown())], 'expected a PKCS#8 PEM or a JWK'),
      algorithm: v.optional(v.string(), 'RS256'),
    }),
  ),
  /** Unset: discovered from the upstream's 401 (protected resource, then authorization server metadata). */
  tokenEndpoint: v.optional(httpUrl),
  /** The authorization server a discovered token endpoint must belong to (its metadata `issuer`). */
  issuer: v.optional(httpUrl),
  audience: v.optional(v.string('expected a string')),
  resource: v.optional(v.string('expected a string')),
  scope: v.optional(v.string('expected space-separated scopes')),
}

type OAuthClientShape = {
  clientSecret?: string
  privateKeyJwt?: object
  tokenEndpoint?: string
  issuer?: string
}

function oneClientSecret<T extends OAuthClientShape>() {
  return v.check<T, string>(
    (client) => (client.clientSecret === undefined) !== (client.privateKeyJwt === undefined),
    'expected either "clientSecret" or "privateKeyJwt"',
  )
}

/** Discovery follows the upstream to an authorization server: only the one named here may get the secret. */
function pinnedDiscovery<T extends OAuthClientShape>() {
  return v.check<T, string>(
    (client) => client.tokenEndpoint !== undefined || client.issuer !== undefined,
    'expected "tokenEndpoint", or "issuer" (the authorization server discovery may lead to)',
  )
}

const credentialEntry = v.union(
  [v.strictObject({ headers: stringMap }), v.strictObject({ env: stringMap })],
  'expected { headers } (an HTTP upstream) or { env } (a stdio upstream)',
)

/** An upstream's credentials: its own, and each identity's (see README, "Upstream credentials"). */
export const credentialFields = {
  /** A map sent on every request, or a function of the identity: headers per identity. */
  headers: v.optional(
    v.union([stringMap, headersFunction], 'expected a map of header names to values, or a function'),
  ),
  /** Identity → its own headers (HTTP) or environment (stdio). */
  credentials: v.optional(v.record(v.string(), credentialEntry)),
  /** RFC 8693: each client's validated JWT is exchanged for a token meant for this upstream. */
  tokenExchange: v.optional(
    v.pipe(
      v.strictObject({
        ...oauthClient,
        subjectTokenType: v.optional(
          v.picklist(
            ['urn:ietf:params:oauth:token-type:access_token', 'urn:ietf:params:oauth:token-type:jwt'],
            'expected an access_token or jwt token type URN',
          ),
          'urn:ietf:params:oauth:token-type:access_token',
        ),
      }),
      oneClientSecret(),
      pinnedDiscovery(),
    ),
  ),
  /** OAuth `client_credentials`: the upstream's own service credential. */
  oauth: v.optional(v.pipe(v.strictObject(oauthClient), oneClientSecret(), pinnedDiscovery())),
  /** The upstream lists different tools to different users: each identity's list is read with its credential. */
  listsPerIdentity: v.optional(v.boolean('expected true or false'), false),
  /** An identity with no credential for this upstream: its tools are hidden, or listed and refused (403). */
  withoutCredential: v.optional(v.picklist(['hide', 'deny'], 'expected "hide" or "deny"'), 'hide'),
}

type UpstreamShape = {
  command?: string[]
  transport?: string
  shareProcess: boolean
  headers?: Record<string, string> | HeadersFunction
  credentials?: Record<string, { headers: Record<string, string> } | { env: Record<string, string> }>
  tokenExchange?: object
  oauth?: object
  listsPerIdentity: boolean
}

/** Credentials that cannot work with this upstream's transport, or that contradict each other. */
export function credentialProblems(upstream: UpstreamShape): { key: string; message: string }[] {
  const problems: { key: string; message: string }[] = []
  const stdio = upstream.transport === 'stdio' || (upstream.command !== undefined && !upstream.transport)
  const entries = Object.values(upstream.credentials ?? {})
  const perIdentity = [
    upstream.credentials && 'credentials',
    typeof upstream.headers === 'function' && 'headers',
    upstream.tokenExchange && 'tokenExchange',
  ].filter(Boolean)
  if (upstream.listsPerIdentity && perIdentity.length === 0)
    problems.push({
      key: 'listsPerIdentity',
      message:
        'lists per identity need a credential per identity ("credentials", a "headers" function or "tokenExchange")',
    })
  if (perIdentity.length > 1)
    problems.push({
      key: 'credentials',
      message: `choose one of ${perIdentity.join(', ')}: each gives every identity its credential`,
    })
  if (stdio) {
    for (const key of ['oauth', 'tokenExchange'] as const)
      if (upstream[key])
        problems.push({ key, message: `"${key}" is for HTTP upstreams (a stdio upstream takes "env")` })
    if (typeof upstream.headers === 'function')
      problems.push({
        key: 'headers',
        message: 'a stdio upstream has no headers: use "credentials" with { env }',
      })
    if (entries.some((entry) => 'headers' in entry))
      problems.push({
        key: 'credentials',
        message: 'a stdio upstream takes { env } credentials, not { headers }',
      })
    if (upstream.credentials && upstream.shareProcess)
      problems.push({
        key: 'credentials',
        message: 'one shared process cannot run as each identity: set "shareProcess: false"',
      })
  } else if (entries.some((entry) => 'env' in entry)) {
    problems.push({
      key: 'credentials',
      message: 'an HTTP upstream takes { headers } credentials, not { env }',
    })
  }
  return problems
}
