import { ProtocolError } from '@modelcontextprotocol/server'
import { ProxyError, ProxyErrorCode } from '../errors.ts'
import type { ProxMCPContext } from '../plugins/types.ts'
import type { BoundedHttpTransport } from '../upstream/bounded-http-transport.ts'
import type { JsonObject, UpstreamLink } from '../upstream/link.ts'
import { toProxyError, upstreamTimeout } from '../upstream/to-proxy-error.ts'
import type { Upstream } from '../upstream/upstream.ts'
import { invalidToolResult, isToolResultShaped } from './checked-result.ts'
import type { ProxyCore } from './scope.ts'
import { SseEventReader } from './sse-event-reader.ts'

export type RequestId = string | number

/** A JSON-RPC message as read off the wire, before anything is known of its shape. */
export type WireMessage = JsonObject & { id?: RequestId | null; method?: string; error?: JsonObject }

export interface DirectCallSetup {
  core: ProxyCore
  upstream: Upstream
  link: UpstreamLink
  transport: BoundedHttpTransport
  ctx: ProxMCPContext | undefined
  /** The downstream session, named on every answer as the SDK's transport does. */
  sessionId: string
  /** The client's request id, which its answer carries. */
  clientId: RequestId
  /** The id the request carries upstream, distinct from the SDK client's own on the same session. */
  upstreamId: string
  /** Whether the client declared the capability to answer the upstream's request `method`. */
  canAnswer(method: string): boolean
  /** Gives a question the upstream asks an id of the proxy's, so the client's answer finds its way back. */
  question(call: DirectCall, upstreamId: RequestId): string
  /** The call is over: its session forgets it and its slot is free. */
  done(call: DirectCall): void
}

const SSE_HEADERS = {
  'content-type': 'text/event-stream',
  'cache-control': 'no-cache',
  connection: 'keep-alive',
}
const encoder = new TextEncoder()

/**
 * One tools/call relayed straight to an upstream's 2025-era session over HTTP: the client's
 * message POSTed as it is (tool name resolved, id the proxy's), the answer streamed back as the
 * upstream writes it. Progress passes as it is, questions get ids of the proxy's, any other
 * notification takes the session's usual route. Cancellation, a vanished client, a timeout or a
 * broken upstream end the call as they do on the SDK path.
 */
export class DirectCall {
  private readonly exchange = new AbortController()
  private readonly ended: (outcome: 'ok' | 'error') => void
  private timer: ReturnType<typeof setTimeout> | undefined
  /** The message that ends the call for the client, once something has decided it. */
  private final: WireMessage | undefined
  private cancelled = false
  private over = false
  private notified = false

  constructor(private readonly setup: DirectCallSetup) {
    this.ended = setup.core.metrics.startCall(setup.upstream.id, 'tools/call')
    if (setup.ctx) setup.ctx.upstream = setup.upstream.id
    this.armTimer()
  }

  get transport(): BoundedHttpTransport {
    return this.setup.transport
  }

  /** The client's answer, or undefined when the upstream session is gone and the SDK path should reopen it. */
  async start(message: WireMessage, clientGone: AbortSignal): Promise<Response | undefined> {
    clientGone.addEventListener('abort', () => this.clientGone(), {
      once: true,
      signal: this.exchange.signal,
    })
    let response: Response
    try {
      response = await this.transport.post(
        { ...message, id: this.setup.upstreamId } as never,
        this.exchange.signal,
      )
    } catch (error) {
      return this.answerNow(this.outcomeOf(error))
    }
    if (response.status === 404) {
      // The upstream forgot the session (restart, expiry): the SDK path opens a new one.
      void response.body?.cancel()
      this.setup.link.failed()
      this.finish(undefined)
      return undefined
    }
    if (!response.ok) {
      const text = await response.text().catch(() => '')
      const status = `HTTP ${response.status} ${text.slice(0, 200)}`.trim()
      return this.answerNow(this.errorMessage(toProxyError(new Error(status), this.setup.upstream.id, 0)))
    }
    const type = response.headers.get('content-type') ?? ''
    if (type.startsWith('text/event-stream') && response.body) return this.stream(response.body)
    if (type.startsWith('application/json')) return this.answerNow(await this.jsonAnswer(response))
    void response.body?.cancel()
    return this.answerNow(this.unanswered())
  }

  /** The client cancelled the call: the upstream is told, and the client gets no answer. */
  cancel(reason: unknown): void {
    if (this.over) return
    this.cancelled = true
    this.cancelUpstream(reason)
  }

  /** The session closed under the call. */
  abort(): void {
    this.cancel('the session closed')
  }

  private stream(body: ReadableStream<Uint8Array>): Response {
    const reader = body.getReader()
    const decoder = new TextDecoder()
    const events = new SseEventReader()
    const stream = new ReadableStream<Uint8Array>(
      {
        pull: async (controller) => {
          let wrote = false
          while (!wrote && !this.over) {
            let chunk: Awaited<ReturnType<typeof reader.read>>
            try {
              chunk = await reader.read()
            } catch (error) {
              return this.close(controller, this.outcomeOf(error))
            }
            if (chunk.done) return this.close(controller, this.final ?? this.unanswered())
            for (const data of events.feed(decoder.decode(chunk.value, { stream: true }))) {
              const out = this.relay(data)
              if (this.final) return this.close(controller, this.final, reader)
              if (out === undefined) continue
              controller.enqueue(encoder.encode(`event: message\ndata: ${out}\n\n`))
              wrote = true
            }
          }
        },
        cancel: () => {
          void reader.cancel().catch(() => {})
          this.clientGone()
        },
      },
      { highWaterMark: 0 },
    )
    return new Response(stream, { headers: { ...SSE_HEADERS, ...this.sessionHeader() } })
  }

  /** What goes to the client for one upstream message: its text, or undefined when nothing does. */
  private relay(data: string): string | undefined {
    let message: WireMessage
    try {
      message = JSON.parse(data)
    } catch {
      return undefined
    }
    if (typeof message !== 'object' || message === null) return undefined
    if (typeof message.method === 'string') {
      if (message.id !== undefined && message.id !== null && this.setup.canAnswer(message.method)) {
        return JSON.stringify({ ...message, id: this.setup.question(this, message.id) })
      }
      if (message.method === 'notifications/progress') {
        this.armTimer()
        this.notified = true
        return data
      }
    } else if (message.id === this.setup.upstreamId) {
      this.final = this.checked(message)
      return undefined
    }
    // Logs, list changes, resource updates, questions the client cannot answer (the SDK refuses
    // them) and pings: the session handles them as for any other call.
    this.transport.dispatch(message as never)
    return undefined
  }

  private async close(
    controller: ReadableStreamDefaultController<Uint8Array>,
    final: WireMessage | undefined,
    reader?: ReadableStreamDefaultReader<Uint8Array>,
  ): Promise<void> {
    this.finish(final)
    if (final) {
      // SDK clients handle notifications a turn after the answer of the same chunk, and drop
      // progress for a request already answered: the answer gets a chunk of its own.
      if (this.notified) await new Promise((resolve) => setTimeout(resolve, 0))
      controller.enqueue(encoder.encode(`event: message\ndata: ${JSON.stringify(this.forClient(final))}\n\n`))
    }
    controller.close()
    void reader?.cancel().catch(() => {})
  }

  private answerNow(final: WireMessage | undefined): Response {
    this.finish(final)
    if (!final) return new Response(null, { status: 202, headers: this.sessionHeader() })
    return new Response(JSON.stringify(this.forClient(final)), {
      headers: { 'content-type': 'application/json', ...this.sessionHeader() },
    })
  }

  private async jsonAnswer(response: Response): Promise<WireMessage> {
    try {
      const body = (await response.json()) as WireMessage | WireMessage[]
      const answer = (Array.isArray(body) ? body : [body]).find((m) => m?.id === this.setup.upstreamId)
      if (answer) return this.checked(answer)
    } catch {}
    return this.unanswered()
  }

  /** The upstream's answer as the client may see it: a malformed one fails the call, naming the upstream. */
  private checked(answer: WireMessage): WireMessage {
    const { error } = answer
    const valid = error
      ? typeof error.code === 'number' && typeof error.message === 'string'
      : isToolResultShaped(answer.result)
    return valid ? answer : this.errorMessage(invalidToolResult(this.setup.upstream.id))
  }

  private forClient(final: WireMessage): WireMessage {
    return { ...final, id: this.setup.clientId }
  }

  private finish(final: WireMessage | undefined): void {
    if (this.over) return
    this.over = true
    clearTimeout(this.timer)
    this.setup.done(this)
    const error = final?.error
    this.ended(error || !final ? 'error' : 'ok')
    if (error && this.setup.ctx) {
      const failure = new ProtocolError(error.code as number, error.message as string, error.data)
      void this.setup.core.plugins.onError(this.setup.ctx, failure)
    }
  }

  private clientGone(): void {
    this.cancel('the client went away')
  }

  private cancelUpstream(reason: unknown): void {
    const requestId = this.setup.upstreamId
    void this.transport
      .send({
        jsonrpc: '2.0',
        method: 'notifications/cancelled',
        params: { requestId, reason: String(reason) },
      })
      .catch(() => {})
    this.exchange.abort()
  }

  private armTimer(): void {
    clearTimeout(this.timer)
    this.timer = setTimeout(() => {
      this.final = this.errorMessage(upstreamTimeout(this.setup.upstream.id, this.timeoutMs))
      this.cancelUpstream(`no answer within ${this.timeoutMs} ms`)
    }, this.timeoutMs)
  }

  private get timeoutMs(): number {
    return this.setup.link.timeoutMs
  }

  /** How an exchange that threw ends: as the timeout decided, silently when cancelled, or as a broken upstream. */
  private outcomeOf(error: unknown): WireMessage | undefined {
    if (this.final || this.cancelled) return this.final
    this.setup.link.failed()
    return this.errorMessage(toProxyError(error, this.setup.upstream.id, this.timeoutMs))
  }

  private unanswered(): WireMessage {
    const upstream = this.setup.upstream.id
    return this.errorMessage(
      new ProxyError(`upstream '${upstream}' ended its answer stream without answering`, {
        code: ProxyErrorCode.UpstreamUnavailable,
        upstream,
      }),
    )
  }

  private errorMessage(error: ProtocolError): WireMessage {
    const { code, message, data } = error
    return {
      jsonrpc: '2.0',
      id: this.setup.upstreamId,
      error: { code, message, ...(data !== undefined && { data }) },
    }
  }

  private sessionHeader(): Record<string, string> {
    return { 'mcp-session-id': this.setup.sessionId }
  }
}
