import {
  type Attributes,
  type HrTime,
  type SpanContext,
  type SpanKind,
  type SpanStatus,
  SpanStatusCode,
} from '@opentelemetry/api'
import type { Resource } from '@opentelemetry/resources'
import type { ReadableSpan, TimedEvent } from '@opentelemetry/sdk-trace'
import { randomHex } from './span-ids.ts'

const NO_LINKS: ReadableSpan['links'] = []
const NO_EVENTS: TimedEvent[] = []
const UNSET: SpanStatus = { code: SpanStatusCode.UNSET }

type InstrumentationScope = ReadableSpan['instrumentationScope']

/** Where a finished span goes (the SDK's batch span processor). */
export interface SpanSink {
  onEnd(span: ReadableSpan): void
}

/** What every span of one tracer shares. */
export interface SpanOrigin {
  resource: Resource
  instrumentationScope: InstrumentationScope
  sink: SpanSink
}

/**
 * A sampled span as the SDK's processors and exporters read it. ProxMCP records its spans itself:
 * it knows its attributes are valid, so it skips the SDK span's per-attribute checks and copies,
 * the context objects, and the limits it never reaches. These made up most of the SDK's cost.
 */
export class RecordedSpan implements ReadableSpan {
  events = NO_EVENTS
  readonly links = NO_LINKS
  readonly droppedAttributesCount = 0
  readonly droppedEventsCount = 0
  readonly droppedLinksCount = 0
  status = UNSET
  ended = false
  private readonly context: SpanContext
  private readonly startedAt = now()
  private endedAt = 0

  constructor(
    private readonly origin: SpanOrigin,
    readonly name: string,
    readonly kind: SpanKind,
    readonly attributes: Attributes,
    traceId: string,
    readonly parentSpanContext?: SpanContext,
  ) {
    this.context = {
      traceId,
      spanId: randomHex(16),
      traceFlags: 1,
      ...(parentSpanContext?.traceState && { traceState: parentSpanContext.traceState }),
    }
  }

  spanContext(): SpanContext {
    return this.context
  }

  get resource(): Resource {
    return this.origin.resource
  }

  get instrumentationScope(): InstrumentationScope {
    return this.origin.instrumentationScope
  }

  get startTime(): HrTime {
    return hrTime(this.startedAt)
  }

  get endTime(): HrTime {
    return hrTime(this.endedAt)
  }

  get duration(): HrTime {
    return hrTime(this.endedAt - this.startedAt)
  }

  addEvent(name: string): void {
    if (this.events === NO_EVENTS) this.events = []
    this.events.push({ name, time: hrTime(now()), droppedAttributesCount: 0 })
  }

  /** Ends the span, with what `attributes` already holds; a second end is ignored. */
  end(status?: SpanStatus): void {
    if (this.ended) return
    if (status) this.status = status
    this.endedAt = now()
    this.ended = true
    this.origin.sink.onEnd(this)
  }
}

const TIME_ORIGIN = performance.timeOrigin

function now(): number {
  return TIME_ORIGIN + performance.now()
}

/** Milliseconds as OpenTelemetry's `[seconds, nanoseconds]`. */
function hrTime(milliseconds: number): HrTime {
  const seconds = Math.trunc(milliseconds / 1000)
  const nanos = Math.round((milliseconds - seconds * 1000) * 1e6)
  return nanos >= 1e9 ? [seconds + 1, nanos - 1e9] : [seconds, nanos]
}
