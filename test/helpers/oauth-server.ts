/**
 * A small but real OAuth 2.0 authorization server on loopback, for upstream-credential tests:
 * client_credentials (RFC 6749 §4.4) and token exchange (RFC 8693), with client_secret_basic,
 * client_secret_post and private_key_jwt (RFC 7523) client authentication, RFC 8414 metadata,
 * and RFC 8707 resource indicators.
 */
import {
  createRemoteJWKSet,
  decodeJwt,
  exportJWK,
  generateKeyPair,
  type JWK,
  type JWTPayload,
  jwtVerify,
  SignJWT,
} from 'jose'

export interface OAuthServerOptions {
  /** Clients: clientId → { secret } (client_secret_basic or client_secret_post) or { publicKey } (private_key_jwt, RFC 7523, assertion aud = issuer or token endpoint). */
  clients: Record<string, { secret?: string; publicKey?: CryptoKey | JWK }>
  /** Verifies RFC 8693 subject tokens: JWKS URL of the issuer whose JWTs are accepted as subject_token (the proxy's clients' tokens). */
  subjectJwksUrl?: string
  /** Lifetime of issued access tokens, seconds (default 300). */
  tokenLifetimeSec?: number
}

export interface IssuedToken {
  grant: 'client_credentials' | 'token-exchange'
  clientId: string
  sub: string
  aud: string
  token: string
  expiresIn: number
}

export interface OAuthServer {
  /** `http://127.0.0.1:<port>` */
  issuer: string
  /** `${issuer}/token` */
  tokenEndpoint: string
  /** `${issuer}/jwks.json` */
  jwksUrl: string
  /** Every token request, in order, with its outcome ('issued' or the OAuth error code). */
  requests: { grant: string; clientId?: string; outcome: string }[]
  issued: IssuedToken[]
  /** Makes the next n token requests fail with `invalid_grant` (for "a failed exchange" tests). */
  failNext(n?: number): void
  /** Changes the lifetime of tokens issued from now on. */
  setTokenLifetime(seconds: number): void
  close(): Promise<void>
}

const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange'
const JWT_BEARER_ASSERTION = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'
const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token'
const SUBJECT_TOKEN_TYPES = [ACCESS_TOKEN_TYPE, 'urn:ietf:params:oauth:token-type:jwt']
const ASSERTION_ALGS = ['RS256', 'PS256', 'ES256', 'EdDSA', 'Ed25519']
const KID = 'oauth-server-key'

/** An RFC 6749 §5.2 error; 401 only for `invalid_client`. */
class OAuthFailure extends Error {
  constructor(
    readonly code: string,
    description: string,
  ) {
    super(description)
  }
  get status(): number {
    return this.code === 'invalid_client' ? 401 : 400
  }
}

type Clients = OAuthServerOptions['clients']
interface Grant {
  sub: string
  aud: string
  claims: JWTPayload
}

/** Starts the server on a free loopback port. */
export async function startOAuthServer(options: OAuthServerOptions): Promise<OAuthServer> {
  const { publicKey, privateKey } = await generateKeyPair('RS256')
  const jwk = { ...(await exportJWK(publicKey)), kid: KID, alg: 'RS256', use: 'sig' }
  const subjectKeys = options.subjectJwksUrl ? createRemoteJWKSet(new URL(options.subjectJwksUrl)) : undefined
  const requests: OAuthServer['requests'] = []
  const issued: IssuedToken[] = []
  let lifetime = options.tokenLifetimeSec ?? 300
  let failures = 0

  async function token(request: Request): Promise<Response> {
    const form = new URLSearchParams(await request.text())
    const grant = form.get('grant_type') ?? ''
    const claimedId = form.get('client_id') ?? basicCredentials(request)?.id ?? undefined
    try {
      if (!request.headers.get('content-type')?.startsWith('application/x-www-form-urlencoded')) {
        throw new OAuthFailure('invalid_request', 'the body must be application/x-www-form-urlencoded')
      }
      if (failures > 0) {
        failures--
        throw new OAuthFailure('invalid_grant', 'refused on purpose (failNext)')
      }
      const clientId = await authenticateClient(request, form, options.clients, [issuer, tokenEndpoint])
      let outcome: Grant
      if (grant === 'client_credentials') outcome = clientCredentials(form, clientId, issuer)
      else if (grant === TOKEN_EXCHANGE) outcome = await tokenExchange(form, clientId, subjectKeys)
      else
        throw new OAuthFailure('unsupported_grant_type', `grant_type ${grant || '(none)'} is not supported`)
      const expiresIn = lifetime
      const accessToken = await new SignJWT({ ...outcome.claims, client_id: clientId })
        .setProtectedHeader({ alg: 'RS256', kid: KID, typ: 'at+jwt' })
        .setIssuer(issuer)
        .setSubject(outcome.sub)
        .setAudience(outcome.aud)
        .setIssuedAt()
        .setJti(crypto.randomUUID())
        .setExpirationTime(Math.floor(Date.now() / 1000) + expiresIn)
        .sign(privateKey)
      const kind = grant === TOKEN_EXCHANGE ? 'token-exchange' : 'client_credentials'
      issued.push({
        grant: kind,
        clientId,
        sub: outcome.sub,
        aud: outcome.aud,
        token: accessToken,
        expiresIn,
      })
      requests.push({ grant, clientId, outcome: 'issued' })
      const scope = form.get('scope') ?? undefined
      return noStore({
        access_token: accessToken,
        ...(grant === TOKEN_EXCHANGE ? { issued_token_type: ACCESS_TOKEN_TYPE } : {}),
        token_type: 'Bearer',
        expires_in: expiresIn,
        ...(scope ? { scope } : {}),
      })
    } catch (error) {
      if (!(error instanceof OAuthFailure)) throw error
      requests.push({ grant, clientId: claimedId, outcome: error.code })
      const challenge =
        error.status === 401 && request.headers.has('authorization')
          ? 'Basic realm="oauth-server"'
          : undefined
      return noStore({ error: error.code, error_description: error.message }, error.status, challenge)
    }
  }

  const http = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    fetch: async (request): Promise<Response> => {
      const { pathname } = new URL(request.url)
      if (pathname === '/token') {
        return request.method === 'POST'
          ? token(request)
          : new Response('method not allowed', { status: 405, headers: { allow: 'POST' } })
      }
      if (pathname === '/.well-known/oauth-authorization-server') return Response.json(metadata)
      if (pathname === '/.well-known/openid-configuration') {
        return Response.json({
          ...metadata,
          subject_types_supported: ['public'],
          id_token_signing_alg_values_supported: ['RS256'],
        })
      }
      if (pathname === '/jwks.json') return Response.json({ keys: [jwk] })
      if (pathname === '/authorize') {
        return noStore(
          { error: 'unsupported_response_type', error_description: 'machine-to-machine only' },
          400,
        )
      }
      return new Response('not found', { status: 404 })
    },
  })
  const issuer = `http://127.0.0.1:${http.port}`
  const tokenEndpoint = `${issuer}/token`
  // authorization_endpoint and response_types_supported are required by RFC 8414 (and by the SDK's
  // metadata schema) even for a server that only does machine-to-machine grants.
  const metadata = {
    issuer,
    authorization_endpoint: `${issuer}/authorize`,
    token_endpoint: tokenEndpoint,
    jwks_uri: `${issuer}/jwks.json`,
    response_types_supported: [],
    grant_types_supported: ['client_credentials', TOKEN_EXCHANGE],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'private_key_jwt'],
    token_endpoint_auth_signing_alg_values_supported: ASSERTION_ALGS,
  }
  return {
    issuer,
    tokenEndpoint,
    jwksUrl: `${issuer}/jwks.json`,
    requests,
    issued,
    failNext: (n = 1) => {
      failures = n
    },
    setTokenLifetime: (seconds) => {
      lifetime = seconds
    },
    close: () => http.stop(true),
  }
}

function noStore(body: object, status = 200, wwwAuthenticate?: string): Response {
  const headers: Record<string, string> = { 'cache-control': 'no-store', pragma: 'no-cache' }
  if (wwwAuthenticate) headers['www-authenticate'] = wwwAuthenticate
  return Response.json(body, { status, headers })
}

/** RFC 6749 §2.3.1: both halves are form-urlencoded before base64. */
function basicCredentials(request: Request): { id: string; secret: string } | undefined {
  const match = /^Basic\s+(\S+)$/i.exec(request.headers.get('authorization') ?? '')
  if (!match?.[1]) return undefined
  const decoded = atob(match[1])
  const colon = decoded.indexOf(':')
  if (colon < 0) return undefined
  const decode = (part: string) => decodeURIComponent(part.replaceAll('+', ' '))
  return { id: decode(decoded.slice(0, colon)), secret: decode(decoded.slice(colon + 1)) }
}

function registered(clients: Clients, id: string | null | undefined) {
  return id && Object.hasOwn(clients, id) ? clients[id] : undefined
}

/** Returns the authenticated client id, or throws `invalid_client`. */
async function authenticateClient(
  request: Request,
  form: URLSearchParams,
  clients: Clients,
  assertionAudiences: string[],
): Promise<string> {
  const basic = basicCredentials(request)
  const assertion = form.get('client_assertion')
  const used = [basic, form.get('client_secret'), assertion].filter((method) => method != null)
  if (used.length > 1) throw new OAuthFailure('invalid_request', 'more than one client authentication method')
  if (assertion != null) return verifyAssertion(form, assertion, clients, assertionAudiences)
  const id = basic?.id ?? form.get('client_id')
  const secret = basic?.secret ?? form.get('client_secret')
  const expected = registered(clients, id)?.secret
  if (!id || expected === undefined || secret !== expected) {
    throw new OAuthFailure('invalid_client', 'client authentication failed')
  }
  if (basic && form.has('client_id') && form.get('client_id') !== id) {
    throw new OAuthFailure('invalid_client', 'client_id does not match the authenticated client')
  }
  return id
}

async function verifyAssertion(
  form: URLSearchParams,
  assertion: string,
  clients: Clients,
  audience: string[],
): Promise<string> {
  if (form.get('client_assertion_type') !== JWT_BEARER_ASSERTION) {
    throw new OAuthFailure('invalid_client', `client_assertion_type must be ${JWT_BEARER_ASSERTION}`)
  }
  let id = form.get('client_id')
  try {
    id ??= decodeJwt(assertion).sub ?? null
  } catch {
    throw new OAuthFailure('invalid_client', 'client_assertion is not a JWT')
  }
  const key = registered(clients, id)?.publicKey
  if (!id || !key) throw new OAuthFailure('invalid_client', 'unknown client or no registered public key')
  try {
    await jwtVerify(assertion, key, {
      issuer: id,
      subject: id,
      audience,
      algorithms: ASSERTION_ALGS,
      requiredClaims: ['exp'],
    })
  } catch (error) {
    throw new OAuthFailure('invalid_client', `client_assertion rejected: ${(error as Error).message}`)
  }
  return id
}

/** RFC 8707 `resource` (an absolute URI without fragment) wins over the free-form `audience`. */
function requestedAudience(form: URLSearchParams): string | undefined {
  const resource = form.get('resource')
  if (resource != null) {
    if (!URL.canParse(resource) || resource.includes('#')) {
      throw new OAuthFailure('invalid_target', 'resource must be an absolute URI without a fragment')
    }
    return resource
  }
  return form.get('audience') ?? undefined
}

function scopeClaim(form: URLSearchParams): JWTPayload {
  const scope = form.get('scope')
  return scope ? { scope } : {}
}

function clientCredentials(form: URLSearchParams, clientId: string, issuer: string): Grant {
  return { sub: clientId, aud: requestedAudience(form) ?? issuer, claims: scopeClaim(form) }
}

async function tokenExchange(
  form: URLSearchParams,
  clientId: string,
  subjectKeys: ReturnType<typeof createRemoteJWKSet> | undefined,
): Promise<Grant> {
  if (!subjectKeys) throw new OAuthFailure('unsupported_grant_type', 'token exchange is not configured')
  const subjectToken = form.get('subject_token')
  const subjectTokenType = form.get('subject_token_type')
  if (!subjectToken || !subjectTokenType) {
    throw new OAuthFailure('invalid_request', 'subject_token and subject_token_type are required')
  }
  if (!SUBJECT_TOKEN_TYPES.includes(subjectTokenType)) {
    throw new OAuthFailure('invalid_request', `unsupported subject_token_type ${subjectTokenType}`)
  }
  const aud = requestedAudience(form)
  if (!aud) throw new OAuthFailure('invalid_request', 'resource or audience is required')
  let subject: JWTPayload
  try {
    subject = (await jwtVerify(subjectToken, subjectKeys, { requiredClaims: ['exp', 'sub'] })).payload
  } catch (error) {
    throw new OAuthFailure('invalid_grant', `subject_token rejected: ${(error as Error).message}`)
  }
  // RFC 8693 §4.1: a prior actor nests inside the new one, keeping the delegation chain.
  const act = subject.act ? { sub: clientId, act: subject.act } : { sub: clientId }
  return { sub: subject.sub as string, aud, claims: { ...scopeClaim(form), act } }
}
