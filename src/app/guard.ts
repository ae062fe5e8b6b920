import {
  hostHeaderValidationResponse,
  localhostAllowedHostnames,
  localhostAllowedOrigins,
  originValidationResponse,
} from '@modelcontextprotocol/server'

export interface GuardPolicy {
  /** Host names a request may be addressed to; undefined accepts any (bound to a public interface without a list). */
  allowedHosts?: string[]
  /** Origin host names a browser request may come from. */
  allowedOrigins: string[]
  /** Host header values already found allowed: checking one parses it as a URL. */
  servedHosts: Set<string>
}

const SERVED_HOSTS_KEPT = 64

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]'])

/** Whether the proxy bound to this address is reachable from this machine only. */
export function isLoopback(host: string): boolean {
  return LOOPBACK.has(host)
}

/**
 * DNS-rebinding protection: bound to loopback, only loopback Host names are served; a browser
 * Origin must be loopback or on the allow-list.
 */
export function guardPolicy(options: {
  host: string
  allowedHosts?: string[]
  allowedOrigins?: string[]
}): GuardPolicy {
  const loopback = isLoopback(options.host)
  const allowedHosts = options.allowedHosts ?? (loopback ? localhostAllowedHostnames() : undefined)
  const allowedOrigins = [
    ...localhostAllowedOrigins(),
    ...(options.allowedOrigins ?? options.allowedHosts ?? []),
  ]
  return { allowedHosts, allowedOrigins, servedHosts: new Set() }
}

/** The 403 for a request with a foreign Host or Origin, or undefined when it may pass. */
export function rejectForeign(request: Request, policy: GuardPolicy): Response | undefined {
  return foreignHost(request, policy) ?? originValidationResponse(request, policy.allowedOrigins)
}

function foreignHost(request: Request, policy: GuardPolicy): Response | undefined {
  const { allowedHosts, servedHosts } = policy
  const host = request.headers.get('host')
  if (!allowedHosts || (host !== null && servedHosts.has(host))) return undefined
  const refusal = hostHeaderValidationResponse(request, allowedHosts)
  if (!refusal && host !== null && servedHosts.size < SERVED_HOSTS_KEPT) servedHosts.add(host)
  return refusal
}
