import { errorResponse, proxyErrors } from '../errors.ts'

/**
 * While the proxy drains, no new request may start, in a session or not: under steady load a
 * session that keeps calling would otherwise hold the drain open until its deadline, and the calls
 * in flight then would be cut. Answers and notifications still pass, so calls in flight can finish
 * (elicitation answers, cancellations), and so do 2026-07-28 retries that continue a paused call.
 */
export function refuseWhileDraining(accepting: boolean, body: unknown): Response | undefined {
  if (accepting) return undefined
  const messages = Array.isArray(body) ? body : [body]
  const startsWork = messages.some((message) => {
    const { method, id, params } = (message ?? {}) as {
      method?: unknown
      id?: unknown
      params?: { requestState?: unknown }
    }
    const continues = typeof params?.requestState === 'string'
    return typeof method === 'string' && id !== undefined && id !== null && !continues
  })
  return startsWork ? errorResponse(proxyErrors.shuttingDown()) : undefined
}
