import type { JWK } from 'jose'

interface CommonAuthOptions {
  /**
   * Which tools each identity may see and call: identity → tool-name globs (`*`, `?`). The key
   * `'*'` applies to every identity not listed; an identity with no entry and no `'*'` sees no
   * tools. Unset: every authenticated client sees every tool. Keyed by identity only (an API
   * key's name, a token's `sub`), never by scope: the proxy computes tool views once per identity.
   */
  access?: Record<string, readonly string[]>
}

/** API keys sent as `Authorization: Bearer <key>` or `X-API-Key: <key>`. */
export interface ApiKeyAuthOptions extends CommonAuthOptions {
  mode: 'apikey'
  /**
   * One key, a comma-separated list (as from an environment variable), an array, or a map of
   * identity → key. Unnamed keys are the identities `key-1`, `key-2`, … by position.
   */
  keys: string | readonly string[] | Readonly<Record<string, string>>
}

/** Bearer JWTs, verified against a JWKS URL, a public key or a shared secret (exactly one). */
export interface JwtAuthOptions extends CommonAuthOptions {
  mode: 'jwt'
  /** The authorization server's JWKS (`https://auth.example.com/.well-known/jwks.json`), fetched and cached. */
  jwksUrl?: string
  /** A public key: SPKI PEM (`-----BEGIN PUBLIC KEY-----`) or a JWK. */
  publicKey?: string | JWK
  /** A shared secret for HMAC-signed tokens (HS256/384/512). */
  secret?: string
  /** Accepted signing algorithms; the first one is used to import a PEM key (default `RS256`). */
  algorithms?: string[]
  /** Accepted `iss` values. */
  issuer?: string | string[]
  /** Accepted `aud` values. Default: `resource`. One of the two is required: tokens must be meant for this proxy. */
  audience?: string | string[]
  /** Leeway for `exp`, `nbf` and `iat`, in seconds (default 30). */
  clockToleranceSec?: number
  /** The claim that names the client (default `sub`). */
  identityClaim?: string
  /** Scopes every request must carry (from `scope` or `scp`); otherwise 403 `insufficient_scope`. */
  requiredScopes?: string[]
  /** The public URL of the `/mcp` endpoint. Default: derived from each request's URL. */
  resource?: string
  /** Advertised in the Protected Resource Metadata document. Default: `[issuer]` when `issuer` is one string. */
  authorizationServers?: string[]
  /** Advertised as `scopes_supported`. */
  scopesSupported?: string[]
  /** Advertised as `resource_name`. */
  resourceName?: string
}

export type AuthOptions = ApiKeyAuthOptions | JwtAuthOptions

/** Who a request is from, or the answer that refuses it. */
export type AuthVerdict =
  | {
      identity: string
      scopes: string[]
      /** A verified bearer JWT, for token exchange upstream. */
      jwt?: string
    }
  | { refusal: Response }

/** One way of authenticating (API keys, JWTs): what the plugin runs for each request. */
export interface Authenticator {
  authenticate(request: Request): Promise<AuthVerdict>
  /** Answers a discovery document this mode serves, or undefined. */
  wellKnown?(request: Request, path: string): Response | undefined
}
