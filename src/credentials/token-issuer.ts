import {
  assertSecureTokenEndpoint,
  checkResourceAllowed,
  discoverOAuthServerInfo,
  extractWWWAuthenticateParams,
  type FetchLike,
} from '@modelcontextprotocol/client'
import type { OAuthClientSettings } from '../config/resolve.ts'
import { type IssuedToken, requestToken, TokenRequestError } from './token-request.ts'

/**
 * Where and how one upstream's tokens are requested: the configured token endpoint, or the one
 * the upstream's 401 leads to (RFC 9728 protected resource metadata, then RFC 8414 authorization
 * server metadata, as MCP authorization prescribes).
 */
export class TokenIssuer {
  private endpoint: { url: string; issuer?: string } | undefined
  /** The resource the upstream's metadata names: what its tokens must be meant for (RFC 8707). */
  private resource: string | undefined

  constructor(
    private readonly upstreamUrl: string,
    private readonly client: OAuthClientSettings,
    private readonly fetchFn: FetchLike,
  ) {
    if (client.tokenEndpoint) this.endpoint = { url: client.tokenEndpoint, issuer: client.issuer }
  }

  /** False until a token endpoint is configured or discovered: requests go without a token until the upstream asks for one. */
  get ready(): boolean {
    return this.endpoint !== undefined
  }

  /** Requests a token with `grant`, for this upstream (its `resource`, or the configured audience). */
  async issue(grant: Record<string, string>): Promise<IssuedToken> {
    if (!this.endpoint) throw new TokenRequestError('no token endpoint is known yet')
    const { audience, resource = this.resource ?? this.upstreamUrl, scope } = this.client
    const fields = {
      ...grant,
      ...(audience ? { audience } : { resource }),
      ...(scope && { scope }),
    }
    return requestToken(this.endpoint, fields, this.client, this.fetchFn)
  }

  /**
   * The upstream answered 401: with no token endpoint configured, finds it from the answer's
   * `WWW-Authenticate` challenge. True when a request with a fresh token may succeed.
   */
  async learnFrom(refusal: Response): Promise<boolean> {
    if (this.client.tokenEndpoint) return true
    const { resourceMetadataUrl } = extractWWWAuthenticateParams(refusal)
    let info: Awaited<ReturnType<typeof discoverOAuthServerInfo>>
    try {
      info = await discoverOAuthServerInfo(this.upstreamUrl, { resourceMetadataUrl, fetchFn: this.fetchFn })
    } catch (error) {
      throw new TokenRequestError(`authorization discovery failed (${(error as Error).message})`)
    }
    const metadata = info.authorizationServerMetadata
    if (!metadata?.token_endpoint)
      throw new TokenRequestError(
        `no token endpoint found for authorization server ${info.authorizationServerUrl}`,
      )
    // Secrets (and a client's JWT, for an exchange) go only to the authorization server configured.
    if (metadata.issuer !== this.client.issuer)
      throw new TokenRequestError(
        `the upstream names authorization server ${metadata.issuer}, not the configured issuer ${this.client.issuer}`,
      )
    try {
      assertSecureTokenEndpoint(metadata.token_endpoint)
    } catch {
      throw new TokenRequestError(`the token endpoint ${metadata.token_endpoint} is not https`)
    }
    // A token for another resource must not be had by an upstream that claims to be it.
    const resource = info.resourceMetadata?.resource
    if (
      resource &&
      !checkResourceAllowed({ requestedResource: this.upstreamUrl, configuredResource: resource })
    )
      throw new TokenRequestError(
        `the upstream's metadata names resource ${resource}, which is not the upstream`,
      )
    this.endpoint = { url: metadata.token_endpoint, issuer: metadata.issuer }
    this.resource = resource
    return true
  }
}
