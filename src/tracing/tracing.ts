import type { ProxMCPContext } from '../plugins/types.ts'

/** Traces requests and their upstream calls; absent when tracing is off, so nothing is paid then. */
export interface Tracing {
  /** The span of one HTTP request, child of the client's `traceparent` (header or `params._meta`) if any. */
  request(ctx: ProxMCPContext, request: Request): RequestTrace
  /** Sends what is still buffered (the proxy stops). */
  close(): Promise<void>
}

export interface RequestTrace {
  readonly traceId: string
  /** A child span for one upstream request. */
  call(upstream: { id: string; transport: string }, method: string): CallTrace
  end(status: number): void
}

/** W3C trace context as an upstream receives it (in `params._meta`, and as headers over HTTP). */
export interface TraceContext {
  /** Names the proxy's span for this call as the upstream's parent. */
  traceparent: string
  /** The client's `tracestate`, passed on as it came. */
  tracestate?: string
}

export interface CallTrace {
  readonly context: TraceContext
  /** Something happened to the call: `timeout`, `cancelled`, `retry`. */
  event(name: string): void
  end(outcome: 'ok' | 'error' | 'abandoned', error?: unknown): void
}

const TRACE = 'proxmcp.trace'

export function attachTrace(ctx: ProxMCPContext, trace: RequestTrace): void {
  ctx.state.set(TRACE, trace)
}

/** The trace of the request a context belongs to, when tracing is on. */
export function traceOf(ctx: ProxMCPContext | undefined): RequestTrace | undefined {
  return ctx?.state.get(TRACE) as RequestTrace | undefined
}
