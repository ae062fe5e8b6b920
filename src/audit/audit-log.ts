/** Where audit lines go: written in order, one batch at a time. */
export interface AuditSink {
  write(text: string): Promise<void>
  close?(): Promise<void>
}

/** One audit line, before its time and argument digest are added. */
export type AuditEvent = { event: string } & Record<string, unknown>

/** How long lines wait to be written together. */
const BATCH_MS = 25

interface Pending {
  time: string
  event: AuditEvent
  /** Hashed (SHA-256 of their JSON) into `argumentsSha256` when the line is written. */
  digestOf?: unknown
}

export interface AuditLogOptions {
  /** Lines held at most while the sinks catch up; past it new lines are dropped and counted. */
  maxBuffered: number
  onDropped(): void
  /** Told when a sink fails (the line is lost; the log goes on). */
  onError(error: unknown): void
}

/**
 * The audit trail: one JSON line per event, written in the order recorded. Recording never
 * waits: lines queue in a bounded buffer and one writer drains it, so a slow disk delays lines,
 * not calls; when the buffer is full, new lines are dropped and counted (`onDropped`).
 */
export class AuditLog {
  private queue: Pending[] = []
  private draining: Promise<void> | undefined

  constructor(
    private readonly sinks: AuditSink[],
    private readonly options: AuditLogOptions,
  ) {}

  record(event: AuditEvent, digestOf?: unknown): void {
    if (this.queue.length >= this.options.maxBuffered) {
      this.options.onDropped()
      return
    }
    this.queue.push({ time: new Date().toISOString(), event, ...(digestOf !== undefined && { digestOf }) })
    // Lines gather for a moment and go out in one write: one system call per batch, not per call.
    this.draining ??= new Promise((resolve) => setTimeout(resolve, BATCH_MS)).then(() => this.drain())
  }

  /** Resolves once every line recorded so far is written. */
  async flush(): Promise<void> {
    while (this.draining) await this.draining
  }

  async close(): Promise<void> {
    await this.flush()
    await Promise.all(this.sinks.map((sink) => sink.close?.()))
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.queue
        this.queue = []
        const lines = await Promise.all(batch.map(line))
        const text = `${lines.join('\n')}\n`
        for (const sink of this.sinks) await sink.write(text).catch((error) => this.options.onError(error))
      }
    } finally {
      this.draining = undefined
    }
  }
}

async function line({ time, event, digestOf }: Pending): Promise<string> {
  const digest = digestOf === undefined ? undefined : await sha256(JSON.stringify(digestOf))
  return JSON.stringify({ time, ...event, ...(digest && { argumentsSha256: digest }) })
}

async function sha256(text: string): Promise<string> {
  const bytes = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)))
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('')
}
