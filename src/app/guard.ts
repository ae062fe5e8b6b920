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
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]'])

/**
 * DNS-rebinding protection: bound to loopback, only loopback Host names are served; a browser
 * Origin must be loopback or on the allow-list.
 */
export function guardPolicy(options: {
  host: string
  allowedHosts?: string[]
  allowedOrigins?: string[]
}): GuardPolicy {
  const loopback = LOOPBACK.has(options.host)
  const allowedHosts = options.allowedHosts ?? (loopback ? localhostAllowedHostnames() : undefined)
  const allowedOrigins = [
    ...localhostAllowedOrigins(),
    ...(options.allowedOrigins ?? options.allowedHosts ?? []),
  ]
  return { allowedHosts, allowedOrigins }
}

/** The 403 for a request with a foreign Host or Origin, or undefined when it may pass. */
export function rejectForeign(request: Request, policy: GuardPolicy): Response | undefined {
  return (
    (policy.allowedHosts && hostHeaderValidationResponse(request, policy.allowedHosts)) ||
    originValidationResponse(request, policy.allowedOrigins)
  )
}
