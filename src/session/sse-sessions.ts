import type { AuthInfo, JSONRPCMessage } from '@modelcontextprotocol/server'
import { jsonRpcErrorResponse } from '../errors.ts'
import { LegacySession } from './legacy-session.ts'
import type { ProxyCore } from './scope.ts'
import { SseServerTransport } from './sse-server-transport.ts'

/** Sessions of legacy HTTP+SSE clients: `GET /sse` opens one, `POST /messages?sessionId=` talks to it. */
export class SseSessions {
  private readonly transports = new Map<string, SseServerTransport>()
  private readonly sessions = new Map<string, LegacySession>()

  constructor(
    private readonly core: ProxyCore,
    /** Where clients POST, relative to the SSE URL so the proxy can sit under a path prefix. */
    private readonly endpoint = 'messages',
  ) {}

  async open(clientAddress: string | undefined): Promise<Response> {
    const refusal = this.core.limits.admit(clientAddress)
    if (refusal) return refusal
    const transport = new SseServerTransport(this.endpoint)
    const session = new LegacySession(this.core, transport, clientAddress, () => {
      this.transports.delete(transport.sessionId)
      this.sessions.delete(transport.sessionId)
    })
    this.transports.set(transport.sessionId, transport)
    this.sessions.set(transport.sessionId, session)
    await session.start()
    return transport.response()
  }

  /** The session's stream, for requests posted to it; undefined when there is no such session. */
  transport(sessionId: string): SseServerTransport | undefined {
    return this.transports.get(sessionId)
  }

  post(
    sessionId: string | undefined,
    body: JSONRPCMessage | JSONRPCMessage[],
    request: Request,
    authInfo: AuthInfo,
  ) {
    if (!sessionId)
      return jsonRpcErrorResponse(400, -32000, 'Bad Request: the sessionId query parameter is required')
    const transport = this.transports.get(sessionId)
    if (!transport)
      return jsonRpcErrorResponse(404, -32001, 'Session not found: open a new stream at GET /sse')
    this.sessions.get(sessionId)?.touch()
    transport.receive(body, request, authInfo)
    return new Response('Accepted', { status: 202 })
  }
}
