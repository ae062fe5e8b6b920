import { ProtocolError } from '@modelcontextprotocol/server'
import { proxyErrors } from '../errors.ts'
import { unref } from '../unref.ts'
import type { JsonObject, ServerToClientRequest } from '../upstream/link.ts'
import type { LinkTap } from '../upstream/link-tap.ts'
import { toProxyError } from '../upstream/to-proxy-error.ts'
import {
  PRIMING_WAIT_MS,
  RelayedCall,
  type RelayedCallSetup,
  sseEvent,
  type WireMessage,
} from './relayed-call.ts'
import { withTraceContext } from './upstream-request.ts'

type Params = JsonObject & { _meta?: JsonObject }

/**
 * A tools/call sent as one message on a stdio connection, past the SDK client that owns it:
 * the answer and the progress come back through the link's tap (progress under the client's
 * own token again). Questions the upstream asks meanwhile are attributed by the link as for any
 * call and reach the client on this call's event stream; logs and the rest take the SDK's route.
 * A call that can bring neither progress nor questions is answered as one JSON body (in cluster
 * mode, only if it ends within the priming wait).
 */
export class MessageCall extends RelayedCall {
  private stream: ReadableStreamDefaultController<Uint8Array> | undefined
  private settle: ((response: Response) => void) | undefined
  private untrack: (() => void) | undefined
  private progressToken: unknown

  constructor(
    setup: RelayedCallSetup,
    private readonly tap: LinkTap,
    /** Whether the client may get progress or questions before the answer (else one JSON body). */
    private readonly streaming: boolean,
  ) {
    super(setup)
  }

  start(message: WireMessage, clientGone: AbortSignal): Response | Promise<Response> {
    const { upstreamId } = this.setup
    const params = withTraceContext(message.params as Params, this.call.trace)
    this.progressToken = params._meta?.progressToken
    const forwarded = {
      ...message,
      id: upstreamId,
      params:
        this.progressToken === undefined
          ? params
          : { ...params, _meta: { ...params._meta, progressToken: upstreamId } },
    }
    this.untrack = this.setup.link.track((request) => this.ask(request))
    const call = {
      onMessage: (m: WireMessage) => this.receive(m),
      onClose: () => this.broken('the connection closed'),
    }
    this.tap.send(upstreamId, forwarded as never, call as never).catch((error) => this.broken(error))
    clientGone.addEventListener('abort', () => this.clientGone(), { once: true })
    if (this.streaming) return this.openStream()
    const answer = new Promise<Response>((resolve) => {
      this.settle = resolve
    })
    if (this.setup.primingEventId) unref(setTimeout(() => this.streamIfUnanswered(), PRIMING_WAIT_MS))
    return answer
  }

  private openStream(): Response {
    const body = new ReadableStream<Uint8Array>({
      start: (controller) => {
        this.stream = controller
      },
      cancel: () => this.clientGone(),
    })
    return this.eventStream(body)
  }

  /** A cluster call the upstream has not answered yet goes on as a (primed) stream, as HttpCall's. */
  private streamIfUnanswered(): void {
    const { settle } = this
    if (!settle || this.over) return
    this.settle = undefined
    settle(this.openStream())
  }

  protected stopUpstream(reason: unknown): void {
    const params = { requestId: this.setup.upstreamId, reason: String(reason) }
    void this.tap.notify({ jsonrpc: '2.0', method: 'notifications/cancelled', params }).catch(() => {})
    void this.end(this.final)
  }

  private receive(message: WireMessage): void {
    if (this.over) return
    if (message.method === undefined) return void this.end(this.checked(message))
    this.armTimer()
    if (!this.stream || !this.streaming) return
    const params = { ...(message.params as Params), progressToken: this.progressToken }
    this.notified = true
    this.stream.enqueue(sseEvent(JSON.stringify({ ...message, params })))
  }

  /** A question the upstream asked during this call, put to the client on the call's stream. */
  private ask(request: ServerToClientRequest): Promise<JsonObject> {
    const stream = this.stream
    if (!stream || this.over || !this.setup.canAnswer(request.method)) {
      throw proxyErrors.clientCannotAnswer(request.method)
    }
    return new Promise((resolve, reject) => {
      const id = this.setup.question(this, ({ result, error }) => {
        if (error) reject(new ProtocolError(error.code as number, String(error.message), error.data))
        else resolve(result as JsonObject)
      })
      stream.enqueue(sseEvent(JSON.stringify({ jsonrpc: '2.0', id, ...request })))
    })
  }

  private broken(error: unknown): void {
    if (this.over) return
    void this.end(this.errorMessage(toProxyError(error, this.setup.upstream.id, this.timeoutMs)))
  }

  private async end(final: WireMessage | undefined): Promise<void> {
    if (this.over) return
    this.tap.release(this.setup.upstreamId)
    this.untrack?.()
    if (this.settle) return this.settle(this.answerNow(final))
    if (this.stream) await this.writeFinal(this.stream, final)
  }
}
