import { createPrivateKeyJwtAuth, type FetchLike } from '@modelcontextprotocol/client'
import { decodeJwt } from 'jose'
import type { OAuthClientSettings } from '../config/resolve.ts'

/** An access token, and when it stops being good. */
export interface IssuedToken {
  accessToken: string
  expiresAt: number
  lifetimeMs: number
}

/** A token request the authorization server refused or could not answer; never carries a token. */
export class TokenRequestError extends Error {
  override name = 'TokenRequestError'
}

/** When the server says nothing of a token's lifetime (no `expires_in`, not a JWT). */
const ASSUMED_LIFETIME_MS = 5 * 60_000
const MAX_REASON_LENGTH = 200

/**
 * One token request (RFC 6749 §3.2): the grant as form fields, the client authenticated with
 * `client_secret_basic` or `private_key_jwt` (RFC 7523, signed by the SDK with jose).
 */
export async function requestToken(
  endpoint: { url: string; issuer?: string },
  grant: Record<string, string>,
  client: OAuthClientSettings,
  fetchFn: FetchLike,
): Promise<IssuedToken> {
  const headers = new Headers({
    'content-type': 'application/x-www-form-urlencoded',
    accept: 'application/json',
  })
  const body = new URLSearchParams(grant)
  if (client.privateKeyJwt) {
    const { privateKey, algorithm } = client.privateKeyJwt
    const sign = createPrivateKeyJwtAuth({
      issuer: client.clientId,
      subject: client.clientId,
      privateKey,
      alg: algorithm,
      audience: endpoint.issuer ?? endpoint.url,
    })
    body.set('client_id', client.clientId)
    try {
      await sign(headers, body, endpoint.url)
    } catch (error) {
      throw new TokenRequestError(
        `privateKeyJwt could not sign the client assertion (${(error as Error).message})`,
      )
    }
  } else {
    const pair = `${formEncode(client.clientId)}:${formEncode(client.clientSecret ?? '')}`
    headers.set('authorization', `Basic ${btoa(pair)}`)
  }
  let response: Response
  try {
    response = await fetchFn(endpoint.url, { method: 'POST', headers, body })
  } catch (error) {
    throw new TokenRequestError(`the token endpoint is unreachable (${(error as Error).message})`)
  }
  const answer = (await response.json().catch(() => undefined)) as Record<string, unknown> | undefined
  if (!response.ok) throw new TokenRequestError(refusalReason(response.status, answer))
  const accessToken = answer?.access_token
  if (typeof accessToken !== 'string' || accessToken === '')
    throw new TokenRequestError('the token endpoint answered without an access_token')
  const lifetimeMs = lifetimeOf(accessToken, answer?.expires_in)
  return { accessToken, lifetimeMs, expiresAt: Date.now() + lifetimeMs }
}

/** RFC 6749 §2.3.1: the client id and secret are form-encoded before they are joined. */
function formEncode(value: string): string {
  return new URLSearchParams({ v: value }).toString().slice(2)
}

function refusalReason(status: number, answer: Record<string, unknown> | undefined): string {
  const code = typeof answer?.error === 'string' ? answer.error : `HTTP ${status}`
  const description = typeof answer?.error_description === 'string' ? `: ${answer.error_description}` : ''
  return `the authorization server refused (${code}${description})`.slice(0, MAX_REASON_LENGTH)
}

function lifetimeOf(accessToken: string, expiresIn: unknown): number {
  if (typeof expiresIn === 'number' && expiresIn > 0) return expiresIn * 1000
  try {
    const { exp } = decodeJwt(accessToken)
    if (typeof exp === 'number') return Math.max(0, exp * 1000 - Date.now())
  } catch {
    // An opaque token: its lifetime is unknown.
  }
  return ASSUMED_LIFETIME_MS
}
