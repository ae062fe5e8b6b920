import {
  context,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  type TracerProvider,
  trace,
} from '@opentelemetry/api'
import { VERSION } from '../version.ts'
import {
  callAttributes,
  endAttributes,
  incomingSpan,
  outcomeAttributes,
  parentOf,
  requestAttributes,
  requestSpanName,
} from './trace-facts.ts'
import type { CallTrace, RequestTrace, Tracing } from './tracing.ts'

/**
 * Tracing on the OpenTelemetry API, with a tracer provider the user gives (on Workers and Deno,
 * where ProxMCP loads no SDK of its own).
 */
export function otelTracing(provider: TracerProvider, onClose: () => Promise<void>): Tracing {
  const tracer = provider.getTracer('proxmcp', VERSION)
  return {
    request(ctx, request) {
      const span = tracer.startSpan(
        requestSpanName(ctx),
        { kind: SpanKind.SERVER, attributes: requestAttributes(ctx, request) },
        parentContext(incomingSpan(request, ctx)),
      )
      const parent = trace.setSpan(ROOT_CONTEXT, span)
      return {
        traceId: span.spanContext().traceId,
        call(upstream, method) {
          const attributes = callAttributes(upstream, method)
          return callTrace(
            tracer.startSpan(`${method} ${upstream.id}`, { kind: SpanKind.CLIENT, attributes }, parent),
          )
        },
        end(status) {
          span.setAttributes(endAttributes(ctx, status))
          if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR })
          span.end()
        },
      } satisfies RequestTrace
    },
    close: onClose,
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
      span.setAttributes(outcomeAttributes(outcome, error))
      if (outcome === 'error')
        span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error | undefined)?.message })
      span.end()
    },
  }
}

function parentContext(incoming: ReturnType<typeof incomingSpan>) {
  return incoming ? trace.setSpanContext(ROOT_CONTEXT, parentOf(incoming)) : context.active()
}
