import { OTLPExporterError } from '@opentelemetry/otlp-exporter-base'
import type { ReadableSpan } from '@opentelemetry/sdk-trace'
import { unref } from '../unref.ts'
import { ENVELOPE_ROOM, type EncodedSpans, writeSpan } from './otlp-protobuf.ts'
import { ProtoWriter } from './proto-writer.ts'
import type { SpanSink } from './recorded-span.ts'

/**
 * Where batches go: the SDK's OTLP exporter, with `otlpBatchSerializer`. A batch's bytes may be
 * written into again once `done` is called (the exporter serializes the batch before it sends).
 */
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

interface SealedSpans extends EncodedSpans {
  /** The bytes are the writer's buffer, to be written into again once the batch is sent. */
  ownsBuffer?: true
}

/**
 * A span processor that writes each span in OTLP protobuf the moment it ends, and sends the bytes
 * in batches. The SDK's batch processor keeps the span objects until the export, a second later:
 * at thousands of requests a second those survive young-generation collections, and keeping them
 * cost more CPU than writing them. As the SDK's processor, it sends one batch at a time and lets
 * a bounded number of spans wait; at shutdown it sends what waits as fast as the exporter takes it.
 */
export class SpanBatches implements SpanSink {
  private writer: ProtoWriter
  /** A batch buffer of the usual size, back from an export, for the next writer. */
  private spare: Uint8Array | undefined
  private readonly bufferBytes: number
  private count = 0
  private timer: ReturnType<typeof setTimeout> | undefined
  private readonly waiting: SealedSpans[] = []
  private waitingSpans = 0
  private sending: Promise<void> | undefined
  private closed = false

  constructor(
    private readonly exporter: BatchExporter,
    private readonly options: SpanBatchesOptions,
  ) {
    this.bufferBytes = ENVELOPE_ROOM + options.maxBatch * BYTES_PER_SPAN
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
    const bytes = this.writer.written()
    const { count } = this
    // A full batch takes the buffer along (no copy); a small one, sealed by the timer, is copied, so
    // that what waits holds no more memory than its spans.
    const full = count * 2 >= this.options.maxBatch
    const kept = this.waitingSpans + count <= this.options.maxWaitingSpans
    if (kept) {
      this.waiting.push(full ? { bytes, count, room: ENVELOPE_ROOM, ownsBuffer: true } : copied(bytes, count))
      this.waitingSpans += count
    } else {
      this.options.onLost?.(count, `${this.waitingSpans} spans already wait for the collector`)
    }
    // A buffer that went with its batch is replaced, and so is one grown for outsized spans.
    if ((full && kept) || bytes.buffer.byteLength !== this.bufferBytes) {
      if (!this.closed) this.writer = this.newWriter()
    } else {
      this.writer.restart()
    }
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
  private export(batch: SealedSpans): Promise<void> {
    return new Promise((resolve) => {
      const ended = ({ code, error }: { code: number; error?: Error }) => {
        if (code !== 0) this.options.onLost?.(batch.count, failure(error))
        if (batch.ownsBuffer && batch.bytes.buffer.byteLength === this.bufferBytes)
          this.spare ??= new Uint8Array(batch.bytes.buffer)
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
    const buffer = this.spare ?? new Uint8Array(this.bufferBytes)
    this.spare = undefined
    return new ProtoWriter(buffer, ENVELOPE_ROOM)
  }
}

/** A small batch in a buffer of its own size, with the room for the envelope before it. */
function copied(bytes: Uint8Array, count: number): SealedSpans {
  const buffer = new Uint8Array(ENVELOPE_ROOM + bytes.length)
  buffer.set(bytes, ENVELOPE_ROOM)
  return { bytes: buffer.subarray(ENVELOPE_ROOM), count, room: ENVELOPE_ROOM }
}

/**
 * The exporter's error as a person reads it: an HTTP status where the collector gave one (only the
 * exporter's own error carries one; a DOMException's numeric `code` is not a status).
 */
function failure(error: Error | undefined): string {
  if (!error) return 'the export failed'
  return error instanceof OTLPExporterError && typeof error.code === 'number'
    ? `HTTP ${error.code} ${error.message}`
    : error.message
}
