import { errorResponse, proxyErrors } from '../errors.ts'

/**
 * While the proxy drains, no new request may start, in a session or not: under steady load a
 * session that keeps calling would otherwise hold the drain open until its deadline, and the calls
 * in flight then would be cut. Answers and notifications still pass, so calls in flight can finish
 * (elicitation answers, cancellations).
 */
export function refuseWhileDraining(accepting: boolean, body: unknown): Response | undefined {
  if (accepting) return undefined
  const messages = Array.isArray(body) ? body : [body]
  const startsWork = messages.some((message) => {
    const { method, id } = (message ?? {}) as { method?: unknown; id?: unknown }
    return typeof method === 'string' && id !== undefined && id !== null
  })
  return startsWork ? errorResponse(proxyErrors.shuttingDown()) : undefined
}
