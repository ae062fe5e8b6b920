import { errorResponse, proxyErrors } from '../errors.ts'
import { unref } from '../unref.ts'

/** HTTP exchanges between replicas, as messages on their Redis channels. */
export type ExchangeMessage =
  | {
      kind: 'request'
      id: string
      from: string
      method: string
      url: string
      headers: [string, string][]
      body?: string
      clientAddress?: string
    }
  | { kind: 'cancel'; id: string }
  | { kind: 'head'; id: string; status: number; headers: [string, string][] }
  | { kind: 'chunk'; id: string; text: string }
  | { kind: 'alive'; id: string }
  | { kind: 'end'; id: string }

type Send = (replica: string, message: ExchangeMessage) => Promise<number>
export type ServeHere = (request: Request, clientAddress?: string) => Promise<Response>

const encoder = new TextEncoder()

/** While a response streams, the replica serving it says it is alive this often... */
const ALIVE_EVERY_MS = 5_000
/** ...and the replica waiting for it gives up after this long without a word. */
const SILENT_FOR_MS = 15_000

interface Waiting {
  replica: string
  head: (response: Response) => void
  controller?: ReadableStreamDefaultController<Uint8Array>
  lastHeard: number
}

/**
 * A request served by another replica: the one that holds what the request needs (a paused
 * 2026-07-28 call, a session's stdio process). The request goes there whole; its response comes
 * back as it is written, event streams included. A replica that goes silent ends the response
 * with an error, so the client's stream is cut and it can reconnect.
 */
export class ReplicaRequests {
  private readonly waiting = new Map<string, Waiting>()
  private readonly serving = new Map<string, AbortController>()
  private next = 0
  private watchdog: ReturnType<typeof setInterval> | undefined

  constructor(
    private readonly tag: string,
    private readonly send: Send,
    /** Serves a request here (the proxy's app), plugins included. */
    private readonly serveHere: () => ServeHere | undefined,
  ) {}

  /** The response of `replica` to `request`, or undefined when no such replica is listening. */
  async forward(
    replica: string,
    request: Request,
    /** The parsed body; undefined when there is none. */
    body: unknown,
    clientAddress: string | undefined,
  ): Promise<Response | undefined> {
    const id = `${this.tag}-${++this.next}`
    const headers = [...request.headers.entries()]
    const message: ExchangeMessage = {
      kind: 'request',
      id,
      from: this.tag,
      method: request.method,
      url: request.url,
      headers,
      ...(clientAddress && { clientAddress }),
    }
    const arrived = new Promise<Response>((head) =>
      this.waiting.set(id, { replica, head, lastHeard: Date.now() }),
    )
    let heard: number
    try {
      heard = await this.send(
        replica,
        body === undefined ? message : { ...message, body: JSON.stringify(body) },
      )
    } catch (error) {
      this.waiting.delete(id)
      throw error
    }
    if (heard === 0) {
      this.waiting.delete(id)
      return undefined
    }
    this.watch()
    if (request.signal.aborted) this.giveUp(id)
    else request.signal.addEventListener('abort', () => this.giveUp(id), { once: true })
    return arrived
  }

  /** A message on this replica's channel. */
  receive(message: ExchangeMessage): void {
    if (message.kind === 'request') void this.serve(message)
    else if (message.kind === 'cancel') this.serving.get(message.id)?.abort()
    else this.hear(message)
  }

  close(): void {
    clearInterval(this.watchdog)
    for (const controller of this.serving.values()) controller.abort()
    for (const id of this.waiting.keys()) this.fail(id)
  }

  private hear(message: Exclude<ExchangeMessage, { kind: 'request' | 'cancel' }>): void {
    const waiting = this.waiting.get(message.id)
    if (!waiting) return
    waiting.lastHeard = Date.now()
    if (message.kind === 'head') {
      const body = new ReadableStream<Uint8Array>({
        start: (controller) => {
          waiting.controller = controller
        },
        cancel: () => this.giveUp(message.id),
      })
      const nullBody = message.status === 204 || message.status === 202 || message.status === 304
      waiting.head(new Response(nullBody ? null : body, { status: message.status, headers: message.headers }))
    } else if (message.kind === 'chunk') {
      waiting.controller?.enqueue(encoder.encode(message.text))
    } else if (message.kind === 'end') {
      this.waiting.delete(message.id)
      // An end before any head: the serving replica could not answer at all.
      if (waiting.controller) waiting.controller.close()
      else waiting.head(errorResponse(proxyErrors.replicaSilent()))
    }
  }

  private async serve(message: Extract<ExchangeMessage, { kind: 'request' }>): Promise<void> {
    const handler = this.serveHere()
    const abort = new AbortController()
    this.serving.set(message.id, abort)
    // A reply that reaches nobody ends the exchange: the waiting replica is gone.
    const reply = async (out: ExchangeMessage) => {
      if ((await this.send(message.from, out).catch(() => 0)) === 0) abort.abort()
    }
    const alive = setInterval(() => void reply({ kind: 'alive', id: message.id }), ALIVE_EVERY_MS)
    unref(alive)
    try {
      const request = new Request(message.url, {
        method: message.method,
        headers: message.headers,
        ...(message.body !== undefined && { body: message.body }),
        signal: abort.signal,
      })
      const response = handler
        ? await handler(request, message.clientAddress)
        : errorResponse(proxyErrors.shuttingDown())
      await reply({
        kind: 'head',
        id: message.id,
        status: response.status,
        headers: [...response.headers.entries()],
      })
      // Event streams (a GET stream above all) end when their reader is cancelled, not on the request's signal.
      const reader = response.body?.getReader()
      const stop = () => void reader?.cancel().catch(() => {})
      if (abort.signal.aborted) stop()
      else abort.signal.addEventListener('abort', stop, { once: true })
      const decoder = new TextDecoder()
      for (
        let chunk = await reader?.read();
        chunk && !chunk.done && !abort.signal.aborted;
        chunk = await reader?.read()
      ) {
        const text = decoder.decode(chunk.value, { stream: true })
        if (text) await reply({ kind: 'chunk', id: message.id, text })
      }
    } catch {
      // The request failed, or was cancelled: its waiting side ends on `end`.
    } finally {
      clearInterval(alive)
      this.serving.delete(message.id)
      await reply({ kind: 'end', id: message.id })
    }
  }

  private giveUp(id: string): void {
    const waiting = this.waiting.get(id)
    if (!waiting) return
    this.waiting.delete(id)
    void this.send(waiting.replica, { kind: 'cancel', id }).catch(() => {})
  }

  private fail(id: string): void {
    const waiting = this.waiting.get(id)
    this.waiting.delete(id)
    if (!waiting) return
    const silent = proxyErrors.replicaSilent()
    if (waiting.controller) waiting.controller.error(silent)
    else waiting.head(errorResponse(silent))
  }

  private watch(): void {
    this.watchdog ??= setInterval(() => {
      const cutoff = Date.now() - SILENT_FOR_MS
      for (const [id, waiting] of this.waiting) if (waiting.lastHeard < cutoff) this.fail(id)
      if (this.waiting.size === 0) {
        clearInterval(this.watchdog)
        this.watchdog = undefined
      }
    }, ALIVE_EVERY_MS)
    unref(this.watchdog)
  }
}
