import { ProtocolError, SdkError, SdkErrorCode, SdkHttpError } from '@modelcontextprotocol/client'
import { ProxyError, proxyErrors, refusesCredential } from '../errors.ts'
import { describe } from './connection-policy.ts'

/**
 * What a failed upstream request becomes for the downstream client: the upstream's own JSON-RPC
 * error passes through unchanged; a transport failure or timeout becomes an error naming the upstream.
 */
export function toProxyError(error: unknown, upstream: string, timeoutMs: number): ProtocolError {
  if (error instanceof ProxyError) return error
  if (error instanceof ProtocolError) return error
  if (error instanceof SdkError && error.code === SdkErrorCode.RequestTimeout) {
    return proxyErrors.upstreamTimeout(upstream, timeoutMs)
  }
  return credentialRefusal(upstream, error) ?? proxyErrors.upstreamFailed(upstream, describe(error))
}

/** A 401 or 403 is about the credential, not the upstream's health: said so, with the upstream's own words. */
function credentialRefusal(upstream: string, error: unknown): ProtocolError | undefined {
  if (!(error instanceof SdkHttpError) || !refusesCredential(error.status)) return undefined
  const body = (error.data as { text?: unknown }).text
  return proxyErrors.credentialRefused(
    upstream,
    error.status,
    typeof body === 'string' ? body.slice(0, 200) : '',
  )
}

/** A connection to the upstream could not be opened: an error that names it (its own refusals pass as they are). */
export function openFailure(upstream: string, error: unknown): ProtocolError {
  if (error instanceof ProtocolError) return error
  return (
    credentialRefusal(upstream, error) ?? proxyErrors.upstreamUnavailable(upstream, `: ${describe(error)}`)
  )
}

/** A 404 to a request in an upstream session: the upstream forgot the session (a restart, an expiry). */
export function isSessionGone(error: unknown): boolean {
  return error instanceof SdkHttpError && error.status === 404
}

/** True when the failure says the connection itself is broken, not that the upstream refused the request. */
export function isConnectionFailure(error: unknown): boolean {
  if (error instanceof ProtocolError) return false
  // A forgotten session is over: so is the connection in it.
  if (error instanceof SdkHttpError) return isSessionGone(error)
  if (error instanceof SdkError) {
    return (
      error.code === SdkErrorCode.ConnectionClosed ||
      error.code === SdkErrorCode.SendFailed ||
      error.code === SdkErrorCode.NotConnected
    )
  }
  return true
}
