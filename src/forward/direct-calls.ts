import {
  type ClientCapabilities,
  ProtocolError,
  SUPPORTED_PROTOCOL_VERSIONS,
} from '@modelcontextprotocol/server'
import { errorFields } from '../errors.ts'
import type { ProxMCPContext } from '../plugins/types.ts'
import { canAnswer } from '../upstream/connect-client.ts'
import type { UpstreamLink } from '../upstream/link.ts'
import type { LinkTap } from '../upstream/link-tap.ts'
import type { Upstream } from '../upstream/upstream.ts'
import { HttpCall } from './http-call.ts'
import { LIST_FIELDS, type ListField, listPage } from './list-page.ts'
import { MessageCall } from './message-call.ts'
import type { RelayedCall, RelayedCallSetup, RequestId, WireMessage } from './relayed-call.ts'
import { findRoute } from './route.ts'
import type { ProxyCore } from './scope.ts'
import type { Params } from './upstream-request.ts'

export interface DirectCallHost {
  core: ProxyCore
  sessionId: () => string | undefined
  /** What the session's client declared it can answer (sampling, elicitation, roots). */
  clientCapabilities(): ClientCapabilities
  /** The session's own connection to the upstream, opened if need be. */
  link(upstream: Upstream): Promise<UpstreamLink>
  /** Takes one of the session's call slots, or throws when they are all in use; returns its release. */
  admitCall(): () => void
  /** Starts the ids of requests to the client: in cluster mode they name the replica, so answers find their way back. */
  requestIdPrefix(): string
  /** In cluster mode, the first event id of a call's stream (see RelayedCallSetup). */
  primingEventId(clientId: RequestId): string | undefined
}

interface Question {
  call: RelayedCall
  deliver: (answer: WireMessage) => void
}

/** Whom an answer goes to: the client's request id, in its session. */
interface Answering {
  id: RequestId
  sessionId: string
}

/** Ids of the proxy's, unique in the process: calls of several sessions may share one upstream connection. */
let sequence = 0

const ACCEPTED = 202

/**
 * The fast path of one 2025-era session: its tools/call requests to 2025-era upstreams go past
 * the SDK, as one HTTP exchange (HttpCall) or one stdio message (MessageCall), and so do the
 * client's answers and cancellations that belong to them. Everything else is the SDK's.
 */
export class DirectCalls {
  private readonly calls = new Map<RequestId, RelayedCall>()
  private readonly questions = new Map<string, Question>()

  constructor(private readonly host: DirectCallHost) {}

  /** The answer when the message takes the fast path; undefined leaves it to the SDK. */
  async serve(
    request: Request,
    body: unknown,
    ctx: ProxMCPContext | undefined,
  ): Promise<Response | undefined> {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined
    const message = body as WireMessage
    if (message.method === 'notifications/cancelled') return this.cancel(message)
    if (message.method === undefined) return this.answer(message)
    const listed = LIST_FIELDS.get(message.method)
    // Results a plugin rewrites take the SDK path, where each passes through `onResult` whole.
    const call = message.method === 'tools/call' && !this.host.core.plugins.hasResultHooks
    if (!call && !listed) return undefined
    const { id } = message
    const sessionId = this.host.sessionId()
    if (id === undefined || id === null || !sessionId || !speaksStreamableHttp(request)) return undefined
    const to = { id, sessionId }
    return listed ? this.list(message, listed, ctx, to) : this.call(request, message, ctx, to)
  }

  /** The session closed: calls in flight are cancelled upstream. */
  abort(): void {
    for (const call of this.calls.values()) call.abort()
  }

  private async call(
    request: Request,
    message: WireMessage,
    ctx: ProxMCPContext | undefined,
    { id, sessionId }: Answering,
  ): Promise<Response | undefined> {
    const params = message.params as Params | undefined
    if (this.calls.has(id) || typeof params?.name !== 'string') return undefined
    // What no upstream owns is left to the SDK path, which answers the error.
    const route = findRoute(this.host.core, 'tools/call', params, ctx)
    if (!route || route.upstream.perRequest) return undefined
    const link = await this.host.link(route.upstream).catch(() => undefined)
    const http = link?.httpSession
    const tap = http ? undefined : link?.messageTap
    if (!link || (!http && !tap)) return undefined
    let release: () => void
    try {
      release = this.host.admitCall()
    } catch (error) {
      if (error instanceof ProtocolError) return errorAnswer(id, error, sessionId)
      throw error
    }
    const capabilities = this.host.clientCapabilities()
    const setup: RelayedCallSetup = {
      core: this.host.core,
      upstream: route.upstream,
      link,
      ctx,
      sessionId,
      clientId: id,
      ...withPrimingEvent(resumable(request) ? this.host.primingEventId(id) : undefined),
      // Unique in an upstream session other replicas speak in too (cluster mode), as the SDK link's ids.
      upstreamId: `${this.host.requestIdPrefix()}${++sequence}`,
      canAnswer: (method) => canAnswer(capabilities, method),
      question: (asking, deliver) => {
        const proxyId = `${this.host.requestIdPrefix()}q${++sequence}`
        this.questions.set(proxyId, { call: asking, deliver })
        return proxyId
      },
      done: (finished) => {
        release()
        this.calls.delete(id)
        for (const [proxyId, question] of this.questions) {
          if (question.call === finished) this.questions.delete(proxyId)
        }
      },
    }
    // Only what a tools/call request is: no stray top-level fields of the client's go upstream.
    const forwarded = { jsonrpc: '2.0', id, method: 'tools/call', params: route.params }
    const call = http
      ? new HttpCall(setup, http)
      : new MessageCall(setup, tap as LinkTap, mayHearBack(forwarded.params, capabilities))
    this.calls.set(id, call)
    return call.start(forwarded, request.signal)
  }

  /** A list is served from the merged catalog as it is: nothing for the SDK to add. */
  private list(
    message: WireMessage,
    field: ListField,
    ctx: ProxMCPContext | undefined,
    { id, sessionId }: Answering,
  ): Response {
    const cursor = (message.params as { cursor?: unknown } | undefined)?.cursor
    try {
      const result = listPage(this.host.core, field, cursor, ctx)
      return jsonAnswer({ jsonrpc: '2.0', id, result }, sessionId)
    } catch (error) {
      if (error instanceof ProtocolError) return errorAnswer(id, error, sessionId)
      throw error
    }
  }

  private cancel(message: WireMessage): Response | undefined {
    const params = message.params as { requestId?: RequestId; reason?: unknown } | undefined
    const call = params?.requestId === undefined ? undefined : this.calls.get(params.requestId)
    if (!call) return undefined
    call.cancel(params?.reason ?? 'cancelled by the client')
    return new Response(null, { status: ACCEPTED })
  }

  private answer(message: WireMessage): Response | undefined {
    const question = typeof message.id === 'string' ? this.questions.get(message.id) : undefined
    if (!question) return undefined
    this.questions.delete(message.id as string)
    question.deliver(message)
    return new Response(null, { status: ACCEPTED })
  }
}

/** Whether anything but the answer can come back: progress (a token was given) or questions (the client can answer some). */
function mayHearBack(params: object, capabilities: ClientCapabilities): boolean {
  const meta = (params as { _meta?: { progressToken?: unknown } })._meta
  const { sampling, elicitation, roots } = capabilities
  return meta?.progressToken !== undefined || Boolean(sampling || elicitation || roots)
}

/** The request is one the SDK's transport would take as it is: both answer formats accepted, a known version. */
function speaksStreamableHttp(request: Request): boolean {
  const accept = request.headers.get('accept') ?? ''
  const version = request.headers.get('mcp-protocol-version')
  return (
    accept.includes('text/event-stream') &&
    accept.includes('application/json') &&
    (version === null || SUPPORTED_PROTOCOL_VERSIONS.includes(version))
  )
}

function errorAnswer(id: RequestId, error: ProtocolError, sessionId: string): Response {
  return jsonAnswer({ jsonrpc: '2.0', id, error: errorFields(error) }, sessionId)
}

function jsonAnswer(message: WireMessage, sessionId: string): Response {
  return new Response(JSON.stringify(message), {
    headers: { 'content-type': 'application/json', 'mcp-session-id': sessionId },
  })
}

/** Clients before 2025-11-25 are not promised an event without data (the SDK server primes from then on too). */
function resumable(request: Request): boolean {
  return (request.headers.get('mcp-protocol-version') ?? '') >= '2025-11-25'
}

function withPrimingEvent(primingEventId: string | undefined): { primingEventId?: string } {
  return primingEventId === undefined ? {} : { primingEventId }
}
