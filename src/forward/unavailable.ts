import { ProxyError, ProxyErrorCode } from '../errors.ts'
import type { Upstream } from '../upstream/upstream.ts'

/** The error for a request whose upstream is not connected right now. */
export function upstreamUnavailable(upstream: Upstream): ProxyError {
  const reason = upstream.lastError ? `: ${upstream.lastError}` : ''
  return new ProxyError(`upstream '${upstream.id}' is unavailable (${upstream.state})${reason}`, {
    code: ProxyErrorCode.UpstreamUnavailable,
    status: 502,
    upstream: upstream.id,
  })
}
