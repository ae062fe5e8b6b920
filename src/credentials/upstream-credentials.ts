import type { FetchLike } from '@modelcontextprotocol/client'
import { BoundedMap } from '../bounded-map.ts'
import type { HeadersFunction } from '../config/credentials-schema.ts'
import type { UpstreamConfig } from '../config/resolve.ts'
import { proxyErrors } from '../errors.ts'
import type { Logger } from '../logger.ts'
import { type Credential, identityKey, SERVICE_KEY } from './credential.ts'
import type { IdentityLedger } from './identity-ledger.ts'
import { TokenCache } from './token-cache.ts'
import { TokenIssuer } from './token-issuer.ts'
import { type IssuedToken, TokenRequestError } from './token-request.ts'

const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange'
const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token'
/** Credentials kept per identity; each is small, and rebuilt when evicted. */
const MAX_IDENTITIES = 10_000

export interface CredentialDeps {
  fetch?: FetchLike
  /** Each identity's latest request (absent where nothing needs it, as in unit tests). */
  identities?: IdentityLedger
  /** Where a refused token request is told, for the operator (the client gets the error too). */
  logger?: Logger
}

/** Token requests made since start, for metrics. */
export interface TokenRequestCount {
  grant: 'client_credentials' | 'token_exchange'
  outcome: 'issued' | 'failed'
  count: number
}

/**
 * What one upstream is reached with: its service credential (static headers, OAuth client
 * credentials) for the catalog and for every call where clients share it, and, where configured,
 * a credential per identity (a `credentials` entry, a `headers` function, or RFC 8693 token
 * exchange of the client's JWT). No identity's call uses another's credential or the service's.
 */
export class UpstreamCredentials {
  readonly service: Credential
  /** Each identity reaches the upstream with its own credential. */
  readonly perIdentity: boolean
  private readonly byIdentity = new BoundedMap<string, Credential>(MAX_IDENTITIES)
  private readonly tokens = new TokenCache()
  private readonly exchange: TokenIssuer | undefined
  private readonly requests = new Map<string, TokenRequestCount>()
  private headersFunction: HeadersFunction | undefined

  constructor(
    private readonly config: UpstreamConfig,
    private readonly deps: CredentialDeps,
  ) {
    const fetchFn = deps.fetch ?? fetch
    const url = config.url ?? ''
    this.exchange = config.tokenExchange && new TokenIssuer(url, config.tokenExchange, fetchFn)
    if (typeof config.headers === 'function') this.headersFunction = config.headers
    this.perIdentity = Boolean(config.credentials || this.exchange || this.headersFunction)
    // Only these need an identity's latest request: the ledger keeps none otherwise.
    if (this.exchange) deps.identities?.keepTokens()
    const fixed = typeof config.headers === 'object' ? config.headers : undefined
    const oauth = config.oauth && new TokenIssuer(url, config.oauth, fetchFn)
    this.service = oauth
      ? this.tokenCredential(undefined, oauth, () => ({ grant_type: 'client_credentials' }), fixed)
      : { key: SERVICE_KEY, ...(fixed && { fixedHeaders: fixed }) }
  }

  /** Token requests since start, by grant and outcome. */
  tokenRequests(): TokenRequestCount[] {
    return [...this.requests.values()]
  }

  /** Whether this identity's view leaves the upstream's tools out (it has no credential, and `withoutCredential` is 'hide'). */
  hidesFrom(identity: string | undefined): boolean {
    return this.perIdentity && this.config.withoutCredential === 'hide' && !this.covers(identity)
  }

  /** Whether calls from this identity can be made: the service credential serves all, or it has its own. */
  covers(identity: string | undefined): boolean {
    if (!this.perIdentity) return true
    if (identity === undefined) return false
    return !this.config.credentials || Object.hasOwn(this.config.credentials, identity)
  }

  /** The credential an identity's calls go with; a 403 error where it has none. */
  of(identity: string | undefined): Credential {
    if (!this.perIdentity) return this.service
    if (identity === undefined || !this.covers(identity))
      throw proxyErrors.noCredential(this.config.id, identity)
    let credential = this.byIdentity.get(identity)
    if (!credential) {
      credential = this.identityCredential(identity)
      this.byIdentity.set(identity, credential)
    }
    return credential
  }

  /**
   * A reload gave the same upstream another `headers` function (a config file read again always
   * does): it applies from the next request, on the connections already open.
   */
  useHeadersFunction(headers: UpstreamConfig['headers']): void {
    if (typeof headers === 'function') this.headersFunction = headers
  }

  private identityCredential(identity: string): Credential {
    const { credentials, tokenExchange } = this.config
    const entry = credentials?.[identity]
    const key = identityKey(identity)
    if (entry)
      return { key, identity, ...('headers' in entry ? { fixedHeaders: entry.headers } : { env: entry.env }) }
    if (this.headersFunction) return { key, identity, headers: () => this.headersOf(identity) }
    return this.tokenCredential(identity, this.exchange as TokenIssuer, () => ({
      grant_type: TOKEN_EXCHANGE,
      subject_token: this.subjectToken(identity),
      subject_token_type: tokenExchange?.subjectTokenType as string,
      requested_token_type: ACCESS_TOKEN_TYPE,
    }))
  }

  private async headersOf(identity: string): Promise<Record<string, string>> {
    const headers = await this.headersFunction?.({ identity })
    if (!headers) throw proxyErrors.noCredential(this.config.id, identity)
    return headers
  }

  private subjectToken(identity: string): string {
    const token = this.deps.identities?.subjectTokenOf(identity)
    if (!token)
      throw new TokenRequestError(
        `token exchange needs the client's validated JWT, and '${identity}' sent none (authPlugin must be in jwt mode)`,
      )
    return token
  }

  /** Counts a token request, and tells the operator why one was refused (never a token: none is in the reason). */
  private async counted(identity: string | undefined, request: Promise<IssuedToken>): Promise<IssuedToken> {
    const grant = identity === undefined ? 'client_credentials' : 'token_exchange'
    const count = (outcome: TokenRequestCount['outcome']) => {
      const key = `${grant} ${outcome}`
      const entry = this.requests.get(key) ?? { grant, outcome, count: 0 }
      entry.count++
      this.requests.set(key, entry)
    }
    try {
      const token = await request
      count('issued')
      return token
    } catch (error) {
      count('failed')
      const who = grantFor(identity)
      this.deps.logger?.warn(`upstream '${this.config.id}': ${who} failed: ${(error as Error).message}`)
      throw error
    }
  }

  /** A bearer token from `issuer` for this identity (or the service), renewed before it expires and after a 401. */
  private tokenCredential(
    identity: string | undefined,
    issuer: TokenIssuer,
    grant: () => Record<string, string>,
    fixed?: Record<string, string>,
  ): Credential {
    const key = identity === undefined ? SERVICE_KEY : identityKey(identity)
    const who = grantFor(identity)
    const explained = (error: unknown) =>
      error instanceof TokenRequestError
        ? proxyErrors.upstreamAuthorization(this.config.id, `${who}: ${error.message}`)
        : error
    return {
      key,
      ...(identity !== undefined && { identity }),
      headers: async () => {
        if (!issuer.ready) return { ...fixed }
        try {
          const token = await this.tokens.get(key, () => this.counted(identity, issuer.issue(grant())))
          return { ...fixed, authorization: `Bearer ${token}` }
        } catch (error) {
          throw explained(error)
        }
      },
      unauthorized: async (refusal) => {
        this.tokens.drop(key)
        try {
          return await issuer.learnFrom(refusal)
        } catch (error) {
          throw explained(error)
        }
      },
    }
  }
}

/** How the token for this identity (or the service) is had, as messages name it. */
function grantFor(identity: string | undefined): string {
  return identity === undefined ? 'client credentials' : `token exchange for '${identity}'`
}
