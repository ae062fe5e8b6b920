import type { ProtocolError } from '@modelcontextprotocol/server'
import { ProxyError, proxyErrors, refusesCredential } from '../errors.ts'
import type { BoundedHttpTransport } from '../upstream/bounded-http-transport.ts'
import { toProxyError } from '../upstream/to-proxy-error.ts'
import {
  PRIMING_WAIT_MS,
  RelayedCall,
  type RelayedCallSetup,
  sseEvent,
  type WireMessage,
} from './relayed-call.ts'
import { settlesWithin } from './settles-within.ts'
import { SseEventReader } from './sse-event-reader.ts'
import { type Params, withTraceContext } from './upstream-request.ts'

/**
 * A tools/call relayed straight to an upstream's 2025-era session over HTTP: the client's
 * message POSTed as it is (tool name resolved, id the proxy's), the answer streamed back as the
 * upstream writes it, with the upstream's own backpressure. Progress passes as it is, questions
 * get ids of the proxy's, any other notification takes the session's usual route.
 */
const SESSION_GONE = Symbol('the upstream session is gone')

export class HttpCall extends RelayedCall {
  private readonly exchange = new AbortController()

  constructor(
    setup: RelayedCallSetup,
    private readonly transport: BoundedHttpTransport,
  ) {
    super(setup)
  }

  /** The client's answer, or undefined when the upstream session is gone and the SDK path should reopen it. */
  async start(message: WireMessage, clientGone: AbortSignal): Promise<Response | undefined> {
    // Left attached once the call is over: a call that is over ignores it.
    clientGone.addEventListener('abort', () => this.clientGone(), { once: true })
    const posting = this.post(message)
    // Awaited below, or by the late stream once the client reads it; never left unheard meanwhile.
    posting.catch(() => {})
    if (this.setup.primingEventId && !(await settlesWithin(posting, PRIMING_WAIT_MS))) {
      return this.eventStream(this.lateStream(posting))
    }
    const outcome = await this.outcome(posting)
    if (outcome === SESSION_GONE) {
      // The upstream forgot the session (restart, expiry): the SDK path opens a new one.
      this.call.event('retry: the upstream session was gone, a new one is opened')
      this.finish(undefined)
      return undefined
    }
    return outcome instanceof ReadableStream ? this.eventStream(outcome) : this.answerNow(outcome)
  }

  private async post(message: WireMessage): Promise<Response> {
    const { trace } = this.call
    const params = withTraceContext(message.params as Params, trace)
    return this.transport.post(
      { ...message, params, id: this.setup.upstreamId } as never,
      this.exchange.signal,
      trace as Record<string, string> | undefined,
    )
  }

  /**
   * The client's stream of a cluster call whose upstream has not answered yet (an upstream may
   * send no header before its first event): it opens at once with the event that lets a client
   * whose replica dies get an error instead of waiting, and goes on as the upstream answers.
   */
  private lateStream(posting: Promise<Response>): ReadableStream<Uint8Array> {
    let relayed: ReadableStreamDefaultReader<Uint8Array> | undefined
    return new ReadableStream<Uint8Array>(
      {
        pull: async (controller) => {
          if (!relayed) {
            let outcome = await this.outcome(posting)
            // Too late for the SDK path to serve the call; the session is reopened for the next one.
            if (outcome === SESSION_GONE)
              outcome = this.errorMessage(
                proxyErrors.upstreamFailed(this.setup.upstream.id, 'its session ended; call again'),
              )
            if (!(outcome instanceof ReadableStream)) return this.writeFinal(controller, outcome)
            relayed = outcome.getReader()
          }
          const chunk = await relayed.read()
          if (chunk.done) controller.close()
          else controller.enqueue(chunk.value)
        },
        cancel: () => {
          void relayed?.cancel().catch(() => {})
          this.clientGone()
        },
      },
      { highWaterMark: 0 },
    )
  }

  /**
   * The upstream's answer: its events to relay, the message that ends the call, or SESSION_GONE
   * when the upstream no longer knows the session.
   */
  private async outcome(
    posting: Promise<Response>,
  ): Promise<ReadableStream<Uint8Array> | WireMessage | undefined | typeof SESSION_GONE> {
    let response: Response
    try {
      response = await posting
    } catch (error) {
      return this.outcomeOf(error)
    }
    if (response.status === 404) {
      void response.body?.cancel()
      this.setup.link.failed()
      return SESSION_GONE
    }
    if (!response.ok) return this.errorMessage(await this.refusal(response))
    const type = response.headers.get('content-type') ?? ''
    if (type.startsWith('text/event-stream') && response.body) return this.stream(response.body)
    if (type.startsWith('application/json')) return this.jsonAnswer(response)
    void response.body?.cancel()
    return this.unanswered()
  }

  private async refusal(response: Response): Promise<ProtocolError> {
    const text = (await response.text().catch(() => '')).slice(0, 200)
    const { id } = this.setup.upstream
    return refusesCredential(response.status)
      ? proxyErrors.credentialRefused(id, response.status, text)
      : toProxyError(new Error(`HTTP ${response.status} ${text}`.trim()), id, 0)
  }

  protected stopUpstream(reason: unknown): void {
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

  private stream(body: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
    const reader = body.getReader()
    const decoder = new TextDecoder()
    const events = new SseEventReader()
    const end = async (
      controller: ReadableStreamDefaultController<Uint8Array>,
      final: WireMessage | undefined,
    ) => {
      await this.writeFinal(controller, final)
      void reader.cancel().catch(() => {})
    }
    const stream = new ReadableStream<Uint8Array>(
      {
        pull: async (controller) => {
          let wrote = false
          while (!wrote && !this.over) {
            let chunk: Awaited<ReturnType<typeof reader.read>>
            try {
              chunk = await reader.read()
            } catch (error) {
              return end(controller, this.outcomeOf(error))
            }
            if (chunk.done) return end(controller, this.final ?? this.unanswered())
            for (const data of events.feed(decoder.decode(chunk.value, { stream: true }))) {
              const out = this.relay(data)
              if (this.final) return end(controller, this.final)
              if (out === undefined) continue
              controller.enqueue(sseEvent(out))
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
    return stream
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
      const { id } = message
      if (id !== undefined && id !== null && this.setup.canAnswer(message.method)) {
        const deliver = (answer: WireMessage) =>
          void this.transport.send({ ...answer, id } as never).catch(() => {})
        return JSON.stringify({ ...message, id: this.setup.question(this, deliver) })
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

  private async jsonAnswer(response: Response): Promise<WireMessage> {
    try {
      const body = (await response.json()) as WireMessage | WireMessage[]
      const answer = (Array.isArray(body) ? body : [body]).find((m) => m?.id === this.setup.upstreamId)
      if (answer) return this.checked(answer)
    } catch {}
    return this.unanswered()
  }

  /** How an exchange that threw ends: as the timeout decided, silently when cancelled, or as a broken upstream. */
  private outcomeOf(error: unknown): WireMessage | undefined {
    if (this.final || this.cancelled) return this.final
    // The proxy's own refusal (no token for the upstream) says nothing about the connection.
    if (!(error instanceof ProxyError)) this.setup.link.failed()
    return this.errorMessage(toProxyError(error, this.setup.upstream.id, this.timeoutMs))
  }
}
