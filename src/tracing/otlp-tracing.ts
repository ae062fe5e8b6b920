import { type SpanContext, SpanKind, SpanStatusCode } from '@opentelemetry/api'
import type { ProxMCPContext } from '../plugins/types.ts'
import { RecordedSpan, type SpanOrigin } from './recorded-span.ts'
import { randomHex } from './span-ids.ts'
import {
  callAttributes,
  endAttributes,
  type IncomingSpan,
  incomingSpan,
  outcomeAttributes,
  parentOf,
  requestAttributes,
  requestSpanName,
} from './trace-facts.ts'
import type { RequestTrace, TraceContext, Tracing } from './tracing.ts'

export interface OtlpTracingOptions extends SpanOrigin {
  /** Whether a new trace (one no client started) is recorded, from its id. */
  sampled: (traceId: string) => boolean
  close: () => Promise<void>
}

/**
 * ProxMCP's own tracing, when it loads the SDK: spans are `RecordedSpan`s handed to a sink
 * (`SpanBatches`, or the SDK's batch processor for JSON). A client's sampled flag is followed as it
 * is (parent-based); a new trace is sampled by its id. An unsampled request still passes a context upstream.
 */
export function otlpTracing(options: OtlpTracingOptions): Tracing {
  return {
    request(ctx, request) {
      const incoming = incomingSpan(request, ctx)
      const traceId = incoming?.traceId ?? randomHex(32)
      const sampled = incoming ? (incoming.traceFlags & 1) === 1 : options.sampled(traceId)
      if (!sampled) return unsampled(traceId, incoming)
      const span = new RecordedSpan(
        options,
        requestSpanName(ctx),
        SpanKind.SERVER,
        requestAttributes(ctx, request),
        traceId,
        incoming && parentOf(incoming),
      )
      return recordedTrace(options, span, ctx)
    },
    close: options.close,
  }
}

function recordedTrace(origin: SpanOrigin, span: RecordedSpan, ctx: ProxMCPContext): RequestTrace {
  const { traceId } = span.spanContext()
  return {
    traceId,
    call(upstream, method) {
      const call = new RecordedSpan(
        origin,
        `${method} ${upstream.id}`,
        SpanKind.CLIENT,
        callAttributes(upstream, method),
        traceId,
        span.spanContext(),
      )
      return {
        context: recordedContext(call.spanContext()),
        event: (name) => call.addEvent(name),
        end(outcome, error) {
          if (call.ended) return
          outcomeAttributes(outcome, error, call.attributes)
          const failed = outcome === 'error'
          call.end(
            failed
              ? { code: SpanStatusCode.ERROR, message: (error as Error | undefined)?.message }
              : undefined,
          )
        },
      }
    },
    end(status) {
      if (span.ended) return
      endAttributes(ctx, status, span.attributes)
      span.end(status >= 500 ? { code: SpanStatusCode.ERROR } : undefined)
    },
  }
}

/** A trace that is not recorded: the upstream still gets a context, marked not sampled. */
function unsampled(traceId: string, incoming: IncomingSpan | undefined): RequestTrace {
  const tracestate = incoming?.tracestate
  const skip = () => {}
  return {
    traceId,
    call: () => ({
      context: {
        traceparent: `00-${traceId}-${randomHex(16)}-00`,
        ...(tracestate && { tracestate }),
      },
      event: skip,
      end: skip,
    }),
    end: skip,
  }
}

function recordedContext(context: SpanContext): TraceContext {
  const tracestate = context.traceState?.serialize()
  return {
    traceparent: `00-${context.traceId}-${context.spanId}-01`,
    ...(tracestate && { tracestate }),
  }
}
