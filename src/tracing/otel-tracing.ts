import {
  context,
  createTraceState,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  type TraceFlags,
  type TracerProvider,
  trace,
} from '@opentelemetry/api'
import type { ProxMCPContext } from '../plugins/types.ts'
import { VERSION } from '../version.ts'
import type { CallTrace, RequestTrace, Tracing } from './tracing.ts'

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/

/**
 * Tracing on the OpenTelemetry API, with whatever provider is given (the SDK's, set up by
 * `otel-sdk.ts`, or a user's on Workers and Deno). Span names and attributes follow the
 * semantic conventions for MCP (`mcp.method.name`, `mcp.session.id`, `mcp.resource.uri`),
 * GenAI (`gen_ai.tool.name`, `gen_ai.prompt.name`, `gen_ai.operation.name`), JSON-RPC
 * (`jsonrpc.request.id`, `rpc.response.status_code`) and HTTP (`http.response.status_code`).
 */
export function otelTracing(provider: TracerProvider, onClose: () => Promise<void>): Tracing {
  const tracer = provider.getTracer('proxmcp', VERSION)
  return {
    request(ctx, request) {
      const parent = parentOf(request, ctx)
      const method = ctx.rpc?.method
      const target = targetOf(ctx)
      const span = tracer.startSpan(
        method ? `${method}${target ? ` ${target}` : ''}` : `${ctx.http.method} ${ctx.http.path}`,
        { kind: SpanKind.SERVER, attributes: requestAttributes(ctx, request) },
        parent,
      )
      return requestTrace(span, ctx)
    },
    close: onClose,
  }

  function requestTrace(span: Span, ctx: ProxMCPContext): RequestTrace {
    const parent = trace.setSpan(ROOT_CONTEXT, span)
    return {
      traceId: span.spanContext().traceId,
      call(upstream, method) {
        const child = tracer.startSpan(
          `${method} ${upstream.id}`,
          {
            kind: SpanKind.CLIENT,
            attributes: {
              'mcp.method.name': method,
              'proxmcp.upstream.id': upstream.id,
              'proxmcp.upstream.transport': upstream.transport,
            },
          },
          parent,
        )
        return callTrace(child)
      },
      end(status) {
        span.setAttribute('http.response.status_code', status)
        if (ctx.identity) span.setAttribute('enduser.id', ctx.identity)
        if (ctx.upstream) span.setAttribute('proxmcp.upstream.id', ctx.upstream)
        if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR })
        span.end()
      },
    }
  }
}

function callTrace(span: Span): CallTrace {
  const { traceId, spanId, traceFlags, traceState } = span.spanContext()
  const tracestate = traceState?.serialize()
  return {
    context: {
      traceparent: `00-${traceId}-${spanId}-${traceFlags.toString(16).padStart(2, '0')}`,
      ...(tracestate && { tracestate }),
    },
    event: (name) => void span.addEvent(name),
    end(outcome, error) {
      span.setAttribute('proxmcp.outcome', outcome)
      const code = (error as { code?: unknown } | undefined)?.code
      if (typeof code === 'number') span.setAttribute('rpc.response.status_code', String(code))
      if (outcome === 'error') {
        span.setAttribute('error.type', typeof code === 'number' ? String(code) : 'error')
        span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error | undefined)?.message })
      }
      span.end()
    },
  }
}

/** The client's span: a `traceparent` header, else one in the JSON-RPC `params._meta`. */
function parentOf(request: Request, ctx: ProxMCPContext) {
  const meta = (ctx.rpc?.params?._meta as { traceparent?: unknown } | undefined)?.traceparent
  const fromHeader = request.headers.get('traceparent')
  const header = fromHeader ?? (typeof meta === 'string' ? meta : undefined)
  const metaState = (ctx.rpc?.params?._meta as { tracestate?: unknown } | undefined)?.tracestate
  const tracestate = fromHeader
    ? request.headers.get('tracestate')
    : typeof metaState === 'string'
      ? metaState
      : null
  const match = header ? TRACEPARENT.exec(header.trim().toLowerCase()) : null
  if (!match || /^0+$/.test(match[1] as string) || /^0+$/.test(match[2] as string)) return context.active()
  return trace.setSpanContext(ROOT_CONTEXT, {
    traceId: match[1] as string,
    spanId: match[2] as string,
    traceFlags: Number.parseInt(match[3] as string, 16) as TraceFlags,
    isRemote: true,
    ...(tracestate && { traceState: createTraceState(tracestate) }),
  })
}

function targetOf(ctx: ProxMCPContext): string | undefined {
  const params = ctx.rpc?.params
  const target = params?.name ?? params?.uri
  return typeof target === 'string' ? target : undefined
}

function requestAttributes(ctx: ProxMCPContext, request: Request): Record<string, string | number> {
  const { rpc } = ctx
  const params = rpc?.params
  const attributes: Record<string, string | number> = {
    'http.request.method': ctx.http.method,
    'url.path': ctx.http.path,
    'proxmcp.era':
      request.headers.has('mcp-session-id') || rpc?.method === 'initialize' ? '2025' : '2026-07-28',
  }
  if (rpc?.method) attributes['mcp.method.name'] = rpc.method
  if (rpc?.id !== undefined) attributes['jsonrpc.request.id'] = String(rpc.id)
  if (ctx.sessionId) attributes['mcp.session.id'] = ctx.sessionId
  if (ctx.clientAddress) attributes['client.address'] = ctx.clientAddress
  if (rpc?.method === 'tools/call' && typeof params?.name === 'string') {
    attributes['gen_ai.tool.name'] = params.name
    attributes['gen_ai.operation.name'] = 'execute_tool'
  }
  if (rpc?.method === 'prompts/get' && typeof params?.name === 'string')
    attributes['gen_ai.prompt.name'] = params.name
  if (typeof params?.uri === 'string') attributes['mcp.resource.uri'] = params.uri
  return attributes
}
