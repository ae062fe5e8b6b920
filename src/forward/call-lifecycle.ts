import type { ProxMCPContext } from '../plugins/types.ts'
import type { Upstream } from '../upstream/upstream.ts'
import type { ProxyCore } from './scope.ts'

/** A forwarded request under way: it ends once, as a success or with the error its client gets. */
export interface ForwardedCall {
  succeeded(): void
  failed(error: unknown): Promise<void>
  /** Cancelled, or its client went away: no one is answered, so no one is told. */
  abandoned(): void
}

/**
 * What every forwarded request goes through once routed and admitted, whichever strategy moves
 * its bytes (an SDK session, or the direct HTTP and stdio paths): it is attributed to its upstream
 * in the plugin context, timed and counted, and a failure is told to the plugins' `onError`.
 * A concern that applies to every upstream request (a span, an audit entry) is added here.
 */
export function beginCall(
  core: ProxyCore,
  upstream: Upstream,
  method: string,
  ctx: ProxMCPContext | undefined,
): ForwardedCall {
  if (ctx) ctx.upstream = upstream.id
  const ended = core.metrics.startCall(upstream.id, method)
  let over = false
  const end = (outcome: 'ok' | 'error') => {
    const first = !over
    over = true
    if (first) ended(outcome)
    return first
  }
  return {
    succeeded: () => void end('ok'),
    abandoned: () => void end('error'),
    failed: async (error) => {
      if (end('error') && ctx) await core.plugins.onError(ctx, error)
    },
  }
}
