import { ProtocolError } from '@modelcontextprotocol/server'
import { errorFields, proxyErrors } from '../errors.ts'
import type { ProxMCPContext } from '../plugins/types.ts'
import type { JsonObject, UpstreamLink } from '../upstream/link.ts'
import type { Upstream } from '../upstream/upstream.ts'
import { beginCall, type ForwardedCall } from './call-lifecycle.ts'
import { isToolResultShaped } from './checked-result.ts'
import { notificationsFirst } from './notifications-first.ts'
import type { ProxyCore } from './scope.ts'

export type RequestId = string | number

/** A JSON-RPC message as read off the wire, before anything is known of its shape. */
export type WireMessage = JsonObject & { id?: RequestId | null; method?: string; error?: JsonObject }

export interface RelayedCallSetup {
  core: ProxyCore
  upstream: Upstream
  link: UpstreamLink
  ctx: ProxMCPContext | undefined
  /** The downstream session, named on every answer as the SDK's transport does. */
  sessionId: string
  /** The client's request id, which its answer carries. */
  clientId: RequestId
  /**
   * In cluster mode, the id of an empty first event: a client that loses the stream reconnects
   * with it (Last-Event-ID), and whichever replica it reaches answers that the call was lost.
   */
  primingEventId?: string
  /** The id the request carries upstream, distinct from the SDK client's own on the same connection. */
  upstreamId: string
  /** Whether the client declared the capability to answer the upstream's request `method`. */
  canAnswer(method: string): boolean
  /** Gives a question to the client an id of the proxy's; `deliver` gets the client's answer. */
  question(call: RelayedCall, deliver: (answer: WireMessage) => void): string
  /** The call is over: its session forgets it and its slot is free. */
  done(call: RelayedCall): void
}

/**
 * How long a cluster call waits for its upstream before opening the client's stream itself, with
 * its priming event: an answer within it goes as one body, a longer call can be told it was lost.
 */
export const PRIMING_WAIT_MS = 200

const SSE_HEADERS = {
  'content-type': 'text/event-stream',
  'cache-control': 'no-cache',
  connection: 'keep-alive',
}
const encoder = new TextEncoder()

/** One server-sent event carrying a JSON-RPC message. */
export function sseEvent(json: string): Uint8Array {
  return encoder.encode(`event: message\ndata: ${json}\n\n`)
}

/**
 * A tools/call relayed outside the SDK (see HttpCall and MessageCall): what both share is how
 * the call ends. Its answer goes to the client under the client's id; a timeout, the client's
 * cancellation or its going away tell the upstream to stop; metrics and plugins hear the outcome.
 */
export abstract class RelayedCall {
  protected readonly call: ForwardedCall
  private timer: ReturnType<typeof setTimeout> | undefined
  /** The message that ends the call for the client, once something has decided it. */
  protected final: WireMessage | undefined
  protected cancelled = false
  protected over = false
  /** Whether notifications went out on the answer's event stream (see `writeFinal`). */
  protected notified = false

  constructor(protected readonly setup: RelayedCallSetup) {
    this.call = beginCall(setup.core, setup.upstream, 'tools/call', setup.ctx)
    this.armTimer()
  }

  /** The client cancelled the call: the upstream is told, and the client gets no answer. */
  cancel(reason: unknown): void {
    if (this.over) return
    this.cancelled = true
    this.call.event('cancelled')
    this.stopUpstream(reason)
  }

  /** The session closed under the call. */
  abort(): void {
    this.cancel('the session closed')
  }

  /**
   * Sends the call upstream; resolves to the client's answer (an event stream or one JSON body),
   * or undefined when the SDK path must serve it after all.
   */
  abstract start(message: WireMessage, clientGone: AbortSignal): Promise<Response | undefined> | Response

  /** Tells the upstream to stop the call, and ends the exchange with it. */
  protected abstract stopUpstream(reason: unknown): void

  protected clientGone(): void {
    this.cancel('the client went away')
  }

  /** Progress came: the timeout starts again, as the SDK's `resetTimeoutOnProgress` does. */
  protected armTimer(): void {
    clearTimeout(this.timer)
    this.timer = setTimeout(() => {
      this.call.event('timeout')
      this.final = this.errorMessage(proxyErrors.upstreamTimeout(this.setup.upstream.id, this.timeoutMs))
      this.stopUpstream(`no answer within ${this.timeoutMs} ms`)
    }, this.timeoutMs)
  }

  protected get timeoutMs(): number {
    return this.setup.link.timeoutMs
  }

  protected finish(final: WireMessage | undefined): void {
    if (this.over) return
    this.over = true
    clearTimeout(this.timer)
    this.setup.done(this)
    const error = final?.error
    if (!final) this.call.abandoned()
    else if (error)
      void this.call.failed(new ProtocolError(error.code as number, error.message as string, error.data))
    else this.call.succeeded()
  }

  /** Ends the call with its answer as one JSON body, or 202 when the client gets none. */
  protected answerNow(final: WireMessage | undefined): Response {
    this.finish(final)
    if (!final) return new Response(null, { status: 202, headers: this.sessionHeader() })
    return new Response(JSON.stringify(this.forClient(final)), {
      headers: { 'content-type': 'application/json', ...this.sessionHeader() },
    })
  }

  /** The client's answer as an event stream: progress and questions, then the answer. */
  protected eventStream(body: ReadableStream<Uint8Array>): Response {
    const { primingEventId } = this.setup
    const stream = primingEventId ? primed(encoder.encode(`id: ${primingEventId}\ndata: \n\n`), body) : body
    return new Response(stream, { headers: { ...SSE_HEADERS, ...this.sessionHeader() } })
  }

  /** Ends the call's event stream, with its answer when there is one. */
  protected async writeFinal(
    controller: ReadableStreamDefaultController<Uint8Array>,
    final: WireMessage | undefined,
  ): Promise<void> {
    this.finish(final)
    if (final && this.notified) await notificationsFirst()
    try {
      if (final) controller.enqueue(sseEvent(JSON.stringify(this.forClient(final))))
      controller.close()
    } catch {
      // The client went away first: there is no one left to tell.
    }
  }

  /** The upstream's answer as the client may see it: a malformed one fails the call, naming the upstream. */
  protected checked(answer: WireMessage): WireMessage {
    const { error } = answer
    const valid = error
      ? typeof error.code === 'number' && typeof error.message === 'string'
      : isToolResultShaped(answer.result)
    return valid ? answer : this.errorMessage(proxyErrors.invalidToolResult(this.setup.upstream.id))
  }

  protected unanswered(): WireMessage {
    return this.errorMessage(proxyErrors.unansweredStream(this.setup.upstream.id))
  }

  protected errorMessage(error: ProtocolError): WireMessage {
    return {
      jsonrpc: '2.0',
      id: this.setup.upstreamId,
      error: errorFields(error),
    }
  }

  protected sessionHeader(): Record<string, string> {
    return { 'mcp-session-id': this.setup.sessionId }
  }

  private forClient(final: WireMessage): WireMessage {
    return { ...final, id: this.setup.clientId }
  }
}

/** `body`, after one chunk sent first (from `pull`: Bun flushes a stream's chunks as pulls return). */
function primed(first: Uint8Array, body: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
  const reader = body.getReader()
  let primedYet = false
  return new ReadableStream<Uint8Array>(
    {
      pull: async (controller) => {
        if (!primedYet) {
          primedYet = true
          return controller.enqueue(first)
        }
        const chunk = await reader.read()
        if (chunk.done) controller.close()
        else controller.enqueue(chunk.value)
      },
      cancel: (reason) => reader.cancel(reason),
    },
    { highWaterMark: 0 },
  )
}
