import {
  type HandleRequestOptions,
  WebStandardStreamableHTTPServerTransport,
} from '@modelcontextprotocol/server'
import { errorResponse, proxyErrors } from '../errors.ts'
import type { ProxyCore } from '../forward/scope.ts'
import { contextOfAuth } from '../plugins/context.ts'
import type { SessionGate } from './session-registry.ts'
import { type SessionClient, StatefulSession } from './stateful-session.ts'

const SESSION_NOT_FOUND = () => errorResponse(proxyErrors.sessionNotFound('initialize a new session'))

interface Entry {
  transport: WebStandardStreamableHTTPServerTransport
  session: StatefulSession
}

/** Routes 2025-era Streamable HTTP requests to their session by `Mcp-Session-Id`. */
export class StreamableSessions {
  private readonly entries = new Map<string, Entry>()

  constructor(
    private readonly core: ProxyCore,
    private readonly registry: SessionGate,
  ) {}

  /** Whether the request names a session open here (which client it belongs to is checked by `handle`). */
  holds(request: Request): boolean {
    const sessionId = request.headers.get('mcp-session-id')
    return sessionId !== null && this.entries.has(sessionId)
  }

  async handle(request: Request, options: HandleRequestOptions, client: SessionClient): Promise<Response> {
    const sessionId = request.headers.get('mcp-session-id')
    if (sessionId) {
      const entry = this.entries.get(sessionId)
      // Another identity's session is as unknown as one that never existed.
      if (!entry?.session.belongsTo(client.identity)) return SESSION_NOT_FOUND()
      entry.session.touch()
      const direct =
        request.method === 'POST'
          ? await entry.session.direct.serve(request, options.parsedBody, contextOfAuth(options.authInfo))
          : undefined
      return direct ?? entry.transport.handleRequest(request, options)
    }
    if (request.method !== 'POST' || !opensSession(options.parsedBody)) {
      return errorResponse(proxyErrors.sessionIdRequired())
    }
    return this.registry.admit(client) ?? this.open(request, options, client)
  }

  private async open(request: Request, options: HandleRequestOptions, client: SessionClient) {
    let session: StatefulSession | undefined
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: () => crypto.randomUUID(),
      onsessioninitialized: (id) =>
        void this.entries.set(id, { transport, session: session as StatefulSession }),
      onsessionclosed: () => void session?.close(),
    })
    session = new StatefulSession(this.core, transport, client, this.registry, () => {
      if (transport.sessionId) this.entries.delete(transport.sessionId)
    })
    await session.start()
    const response = await transport.handleRequest(request, options)
    // A session whose id the client was not given (a refused or id-less initialize) is unreachable.
    if (!transport.sessionId || !response.headers.has('mcp-session-id')) await session.close()
    return response
  }
}

/** An initialize *request*: one without an id is a notification, which opens nothing. */
export function opensSession(body: unknown): boolean {
  const messages = Array.isArray(body) ? body : [body]
  return messages.some((message) => {
    const { method, id } = (message ?? {}) as { method?: unknown; id?: unknown }
    return method === 'initialize' && (typeof id === 'string' || typeof id === 'number')
  })
}
