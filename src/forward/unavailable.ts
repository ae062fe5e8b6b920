import { type ProxyError, proxyErrors } from '../errors.ts'
import type { Upstream } from '../upstream/upstream.ts'

/** The error for a request whose upstream is not connected right now. */
export function upstreamUnavailable(upstream: Upstream): ProxyError {
  const reason = upstream.lastError ? `: ${upstream.lastError}` : ''
  return proxyErrors.upstreamUnavailable(upstream.id, ` (${upstream.state})${reason}`)
}
