import type { ReadableSpan } from '@opentelemetry/sdk-trace'
import { unref } from '../unref.ts'
import { type EncodedSpans, writeSpan } from './otlp-protobuf.ts'
import { ProtoWriter } from './proto-writer.ts'
import type { SpanSink } from './recorded-span.ts'

/** Where batches go: the SDK's OTLP exporter, with `otlpBatchSerializer`. */
export interface BatchExporter {
  export(batch: EncodedSpans, done: (result: { code: number; error?: Error }) => void): void
  shutdown(): Promise<void>
}

export interface SpanBatchesOptions {
  /** Spans per export. */
  maxBatch: number
  /** The longest a finished span waits to be sent. */
  delayMs: number
  /** Spans waiting while a batch is sent; past that a batch is dropped rather than held. */
  maxWaitingSpans: number
  /** Exports the exporter takes at once: at shutdown, what waits is sent in waves of this many. */
  maxConcurrentExports: number
  /** Spans that will not reach the collector, and why. */
  onLost?: (spans: number, reason: string) => void
}

/** Room for a batch of ProxMCP's spans, so that its buffer seldom grows. */
const BYTES_PER_SPAN = 400

/**
 * A span processor that writes each span in OTLP protobuf the moment it ends, and sends the bytes
 * in batches. The SDK's batch processor keeps the span objects until the export, a second later:
 * at thousands of requests a second those survive young-generation collections, and keeping them
 * cost more CPU than writing them. As the SDK's processor, it sends one batch at a time and lets
 * a bounded number of spans wait; at shutdown it sends what waits as fast as the exporter takes it.
 */
export class SpanBatches implements SpanSink {
  private writer: ProtoWriter
  private count = 0
  private timer: ReturnType<typeof setTimeout> | undefined
  private readonly waiting: EncodedSpans[] = []
  private waitingSpans = 0
  private sending: Promise<void> | undefined
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
    if (this.count >= this.options.maxBatch) this.seal()
    else this.timer ??= unref(setTimeout(() => this.seal(), this.options.delayMs))
  }

  /** Sends everything written and waits for it (the proxy stops). */
  async shutdown(): Promise<void> {
    this.closed = true
    this.seal()
    const rest = this.waiting.splice(0)
    this.waitingSpans = 0
    // One export may be under way already: the waves leave room for it.
    const wave = Math.max(1, this.options.maxConcurrentExports - 1)
    for (let at = 0; at < rest.length; at += wave)
      await Promise.all(rest.slice(at, at + wave).map((batch) => this.export(batch)))
    await this.sending
    await this.exporter.shutdown()
  }

  /** The batch being written is complete: it waits its turn, unless too many spans wait already. */
  private seal(): void {
    clearTimeout(this.timer)
    this.timer = undefined
    if (this.count === 0) return
    if (this.waitingSpans + this.count <= this.options.maxWaitingSpans) {
      this.waiting.push({ bytes: this.writer.finish(), count: this.count })
      this.waitingSpans += this.count
    } else {
      this.options.onLost?.(this.count, `${this.waitingSpans} spans already wait for the collector`)
    }
    this.writer = this.newWriter()
    this.count = 0
    if (!this.closed) this.sendNext()
  }

  private sendNext(): void {
    const batch = this.sending ? undefined : this.waiting.shift()
    if (!batch) return
    this.waitingSpans -= batch.count
    this.sending = this.export(batch).then(() => {
      this.sending = undefined
      this.sendNext()
    })
  }

  /** Resolves when the batch is sent or lost (and told), never rejects. */
  private export(batch: EncodedSpans): Promise<void> {
    return new Promise((resolve) => {
      const ended = ({ code, error }: { code: number; error?: Error }) => {
        if (code !== 0) this.options.onLost?.(batch.count, failure(error))
        resolve()
      }
      try {
        this.exporter.export(batch, ended)
      } catch (error) {
        ended({ code: 1, error: error as Error })
      }
    })
  }

  private newWriter(): ProtoWriter {
    return new ProtoWriter(this.options.maxBatch * BYTES_PER_SPAN)
  }
}

/** The exporter's error as a person reads it: an HTTP status where the collector gave one. */
function failure(error: (Error & { code?: unknown }) | undefined): string {
  if (!error) return 'the export failed'
  return typeof error.code === 'number' ? `HTTP ${error.code} ${error.message}` : error.message
}
