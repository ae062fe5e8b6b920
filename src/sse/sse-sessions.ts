import type { AuthInfo, JSONRPCMessage } from '@modelcontextprotocol/server'
import type { ClusterNode } from '../cluster/cluster-node.ts'
import { errorResponse, proxyErrors } from '../errors.ts'
import type { ProxyCore } from '../forward/scope.ts'
import type { SessionGate } from '../session/session-registry.ts'
import { type SessionClient, StatefulSession } from '../session/stateful-session.ts'
import { SseServerTransport } from './sse-server-transport.ts'

/** The replica holding an HTTP+SSE stream, from its session id (cluster mode). */
const STREAM_HOLDER = /^([a-z0-9]{10})-/

interface Entry {
  transport: SseServerTransport
  session: StatefulSession
}

/** Sessions of HTTP+SSE (2024-11-05) clients: `GET /sse` opens one, `POST /messages?sessionId=` talks to it. */
export class SseSessions {
  private readonly entries = new Map<string, Entry>()

  constructor(
    private readonly core: ProxyCore,
    private readonly registry: SessionGate,
    /** In cluster mode, this replica's node: its tag starts the session ids, so POSTs find the stream. */
    private readonly cluster?: () => ClusterNode | undefined,
  ) {}

  /**
   * In cluster mode, a POST for a stream another replica holds is passed there (the stream cannot
   * move); undefined when this replica serves it.
   */
  servedElsewhere(
    request: Request,
    body: unknown,
    sessionId: string | undefined,
    clientAddress: string | undefined,
  ): Promise<Response> | undefined {
    const node = this.cluster?.()
    const holder = sessionId ? STREAM_HOLDER.exec(sessionId)?.[1] : undefined
    if (!node || !holder || holder === node.tag || this.entries.has(sessionId as string)) return undefined
    return node.exchanges.forward(holder, request, body, clientAddress).then(
      // Its replica is gone, and the stream with it: the client opens a new one.
      (answer) => answer ?? errorResponse(proxyErrors.sessionNotFound('open a new stream at /sse')),
      () => errorResponse(proxyErrors.sessionNotFound('open a new stream at /sse')),
    )
  }

  /** `messages`: where the client POSTs, relative to the URL it opened the stream at (so the proxy can sit under a path prefix). */
  async open(client: SessionClient, messages: string): Promise<Response> {
    const refusal = this.registry.admit(client)
    if (refusal) return refusal
    const tag = this.cluster?.()?.tag
    const transport = new SseServerTransport(messages, tag ? `${tag}-${crypto.randomUUID()}` : undefined)
    const session = new StatefulSession(this.core, transport, client, this.registry, () =>
      this.entries.delete(transport.sessionId),
    )
    this.entries.set(transport.sessionId, { transport, session })
    await session.start()
    return transport.response()
  }

  /**
   * The session a POST is for, when it exists and belongs to the poster's identity; another
   * identity's session is as unknown as one that never existed.
   */
  find(sessionId: string | undefined, identity: string | undefined): Entry | undefined {
    const entry = sessionId === undefined ? undefined : this.entries.get(sessionId)
    return entry?.session.belongsTo(identity) ? entry : undefined
  }

  post(
    sessionId: string | undefined,
    entry: Entry | undefined,
    body: JSONRPCMessage | JSONRPCMessage[],
    request: Request,
    authInfo: AuthInfo,
  ): Response {
    if (!sessionId) return errorResponse(proxyErrors.sseSessionIdRequired())
    if (!entry) return errorResponse(proxyErrors.sessionNotFound('open a new stream at GET /sse'))
    entry.session.touch()
    entry.transport.receive(body, request, authInfo)
    return new Response('Accepted', { status: 202 })
  }
}
