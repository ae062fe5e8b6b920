import { ProtocolError, SdkError, SdkErrorCode } from '@modelcontextprotocol/client'
import { ProxyError, proxyErrors } from '../errors.ts'
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
  return proxyErrors.upstreamFailed(upstream, describe(error))
}

/** A connection to the upstream could not be opened: an error that names it (its own refusals pass as they are). */
export function openFailure(upstream: string, error: unknown): ProtocolError {
  if (error instanceof ProtocolError) return error
  return proxyErrors.upstreamUnavailable(upstream, `: ${describe(error)}`)
}

/** True when the failure says the connection itself is broken, not that the upstream refused the request. */
export function isConnectionFailure(error: unknown): boolean {
  if (error instanceof ProtocolError) return false
  if (error instanceof SdkError) {
    return (
      error.code === SdkErrorCode.ConnectionClosed ||
      error.code === SdkErrorCode.SendFailed ||
      error.code === SdkErrorCode.NotConnected
    )
  }
  return true
}
