import { redact } from '../plugins/logger/redact.ts'
import type { ProxMCPContext } from '../plugins/types.ts'

/** Who and where, for every audit line about a request. */
export function requestFacts(ctx: ProxMCPContext): Record<string, unknown> {
  return {
    requestId: ctx.requestId,
    ...(ctx.identity && { identity: ctx.identity }),
    ...(ctx.clientAddress && { client: ctx.clientAddress }),
    ...(ctx.sessionId && { session: ctx.sessionId }),
    ...(ctx.server && { server: ctx.server }),
  }
}

/** The security events a refused request stands for, by HTTP status. */
const REFUSALS: Record<number, string> = { 401: 'auth_failure', 403: 'access_refused', 429: 'rate_limited' }

export function refusalEvent(status: number): string | undefined {
  return REFUSALS[status]
}

/** What a forwarded call is about: its name or URI, and its arguments (raw only when asked, and redacted). */
export function callSubject(
  ctx: ProxMCPContext | undefined,
  includeArguments: boolean,
): { subject: Record<string, unknown>; args: unknown } {
  const params = ctx?.rpc?.params ?? {}
  const args = params.arguments ?? {}
  const name = typeof params.name === 'string' ? { name: params.name } : {}
  const uri = typeof params.uri === 'string' ? { uri: params.uri } : {}
  return { subject: { ...name, ...uri, ...(includeArguments && { arguments: redact(args) }) }, args }
}
