import type { AuthInfo, JSONRPCMessage, MessageExtraInfo, Transport } from '@modelcontextprotocol/server'
import { notificationsFirst } from '../forward/notifications-first.ts'

const KEEP_ALIVE_MS = 15_000
const encoder = new TextEncoder()

/**
 * The 2024-11-05 HTTP+SSE transport on Web streams (the SDK ships none that runs on Workers):
 * `GET /sse` holds an event stream that opens with an `endpoint` event naming where to POST,
 * every server message follows as a `message` event, and comments keep idle streams alive
 * through proxies and load balancers.
 */
export class SseServerTransport implements Transport {
  onclose?: () => void
  onerror?: (error: Error) => void
  onmessage?: (message: JSONRPCMessage, extra?: MessageExtraInfo) => void
  private controller: ReadableStreamDefaultController<Uint8Array> | undefined
  private keepAlive: ReturnType<typeof setInterval> | undefined
  private closed = false
  /** A notification went out since the last response. */
  private notified = false
  /** Aborts when the stream ends: the client is gone, and so is everything it started. */
  private readonly gone = new AbortController()

  constructor(
    private readonly endpoint: string,
    readonly sessionId: string = crypto.randomUUID(),
  ) {}

  get signal(): AbortSignal {
    return this.gone.signal
  }

  /** The event stream to answer `GET /sse` with. */
  response(): Response {
    const stream = new ReadableStream<Uint8Array>({
      start: (controller) => {
        this.controller = controller
        this.write(`event: endpoint\ndata: ${this.endpoint}?sessionId=${this.sessionId}\n\n`)
        this.keepAlive = setInterval(() => this.write(': keep-alive\n\n'), KEEP_ALIVE_MS)
      },
      cancel: () => void this.close(),
    })
    return new Response(stream, {
      headers: {
        'content-type': 'text/event-stream',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
      },
    })
  }

  async start(): Promise<void> {}

  async send(message: JSONRPCMessage): Promise<void> {
    if (this.closed) throw new Error('the SSE stream is closed')
    const isResponse = 'id' in message && ('result' in message || 'error' in message)
    if (isResponse && this.notified) {
      this.notified = false
      await notificationsFirst()
    } else if (!('id' in message)) {
      this.notified = true
    }
    this.write(`event: message\ndata: ${JSON.stringify(message)}\n\n`)
  }

  /** Delivers the messages of one `POST /messages` to the session. */
  receive(body: JSONRPCMessage | JSONRPCMessage[], request: Request, authInfo: AuthInfo): void {
    for (const message of Array.isArray(body) ? body : [body])
      this.onmessage?.(message, { request, authInfo })
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    clearInterval(this.keepAlive)
    this.gone.abort()
    try {
      this.controller?.close()
    } catch {
      // The client already cancelled the stream.
    }
    this.onclose?.()
  }

  private write(chunk: string): void {
    try {
      this.controller?.enqueue(encoder.encode(chunk))
    } catch {
      void this.close()
    }
  }
}
