import { callSubject, requestFacts } from '../audit/audit-events.ts'
import type { ProxMCPContext } from '../plugins/types.ts'
import { type TraceContext, traceOf } from '../tracing/tracing.ts'
import type { JsonObject } from '../upstream/link.ts'
import type { Upstream } from '../upstream/upstream.ts'
import type { ProxyCore } from './scope.ts'

/** A forwarded request under way: it ends once, as a success or with the error its client gets. */
export interface ForwardedCall {
  /** The trace context the upstream gets, when tracing is on. */
  readonly trace?: TraceContext
  /** Something happened on the way (`timeout`, `cancelled`): an event on the call's span. */
  event(name: string): void
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
  const ended = core.metrics.startCall(upstream.id, method, ctx?.server)
  const startedAt = performance.now()
  const span = traceOf(ctx)?.call({ id: upstream.id, transport: upstream.config.transport }, method)
  let over = false
  const end = (outcome: 'ok' | 'error' | 'abandoned', error?: unknown) => {
    const first = !over
    over = true
    if (!first) return false
    ended(outcome === 'ok' ? 'ok' : 'error')
    span?.end(outcome, error)
    if (core.audit) audit(core.audit, { method, upstream, ctx, outcome, error, startedAt })
    return true
  }
  return {
    ...(span && { trace: span.context }),
    event: (name) => span?.event(name),
    succeeded: () => void end('ok'),
    abandoned: () => void end('abandoned'),
    failed: async (error) => {
      if (end('error', error) && ctx) await core.plugins.onError(ctx, error)
    },
  }
}

/**
 * A tools/call the proxy answers itself (tool search's `search_tools`), its plugins' `onResult`
 * included: audited as a call with no upstream, counted in `proxmcp_tool_searches_total`, and a
 * failure told to the plugins' `onError`, as for a forwarded call.
 */
export async function answerToolSearch(
  core: ProxyCore,
  ctx: ProxMCPContext | undefined,
  answer: () => Promise<JsonObject>,
): Promise<JsonObject> {
  const startedAt = performance.now()
  const end = (outcome: 'ok' | 'error', error?: unknown) => {
    core.metrics.toolSearches.inc({ outcome })
    if (core.audit) audit(core.audit, { method: 'tools/call', ctx, outcome, error, startedAt })
  }
  try {
    const result = await answer()
    end('ok')
    return result
  } catch (error) {
    end('error', error)
    if (ctx) await core.plugins.onError(ctx, error)
    throw error
  }
}

function audit(
  trail: NonNullable<ProxyCore['audit']>,
  call: {
    method: string
    /** Absent for what the proxy answers itself. */
    upstream?: Upstream
    ctx: ProxMCPContext | undefined
    outcome: string
    error: unknown
    startedAt: number
  },
): void {
  const { subject, args } = callSubject(call.ctx, trail.includeArguments)
  const code = (call.error as { code?: unknown } | undefined)?.code
  trail.log.record(
    {
      event: 'call',
      method: call.method,
      ...(call.upstream ? { upstream: call.upstream.id } : { answeredBy: 'proxy' }),
      ...subject,
      ...(call.ctx && requestFacts(call.ctx)),
      outcome: call.outcome,
      ...(typeof code === 'number' && { errorCode: code }),
      durationMs: Math.round((performance.now() - call.startedAt) * 10) / 10,
    },
    call.method === 'tools/call' || call.method === 'prompts/get' ? args : undefined,
  )
}
