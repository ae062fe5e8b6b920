import type { ReadableSpan } from '@opentelemetry/sdk-trace'
import { unref } from '../unref.ts'
import { type EncodedSpans, writeSpan } from './otlp-protobuf.ts'
import { ProtoWriter } from './proto-writer.ts'
import type { SpanSink } from './recorded-span.ts'

/** Where batches go: the SDK's OTLP exporter, with `otlpBatchSerializer`. */
export interface BatchExporter {
  export(batch: EncodedSpans, done: (result: { code: number }) => void): void
  shutdown(): Promise<void>
}

export interface SpanBatchesOptions {
  /** Spans per export. */
  maxBatch: number
  /** The longest a finished span waits to be sent. */
  delayMs: number
}

/** Room for a batch of ProxMCP's spans, so that its buffer seldom grows. */
const BYTES_PER_SPAN = 400

/**
 * A span processor that writes each span in OTLP protobuf the moment it ends, and sends the bytes
 * in batches. The SDK's batch processor keeps the span objects until the export, a second later:
 * at thousands of requests a second those survive young-generation collections, and keeping them
 * cost more CPU than writing them. Batches in flight are bounded by the exporter's concurrency
 * limit; past it an export fails and its spans are lost rather than held.
 */
export class SpanBatches implements SpanSink {
  private writer: ProtoWriter
  private count = 0
  private timer: ReturnType<typeof setTimeout> | undefined
  private readonly sending = new Set<Promise<void>>()
  private closed = false

  constructor(
    private readonly exporter: BatchExporter,
    private readonly options: SpanBatchesOptions,
  ) {
    this.writer = this.newWriter()
  }

  onEnd(span: ReadableSpan): void {
    if (this.closed) return
    writeSpan(this.writer, span)
    this.count++
    if (this.count >= this.options.maxBatch) this.send()
    else this.timer ??= unref(setTimeout(() => this.send(), this.options.delayMs))
  }

  /** Sends what is written and waits for every export under way (the proxy stops). */
  async shutdown(): Promise<void> {
    this.closed = true
    this.send()
    await Promise.all(this.sending)
    await this.exporter.shutdown()
  }

  private send(): void {
    clearTimeout(this.timer)
    this.timer = undefined
    if (this.count === 0) return
    const batch = { bytes: this.writer.finish(), count: this.count }
    this.writer = this.newWriter()
    this.count = 0
    const sent = new Promise<void>((resolve) => this.exporter.export(batch, () => resolve()))
    this.sending.add(sent)
    void sent.then(() => this.sending.delete(sent))
  }

  private newWriter(): ProtoWriter {
    return new ProtoWriter(this.options.maxBatch * BYTES_PER_SPAN)
  }
}
