import type { HandleRequestOptions } from '@modelcontextprotocol/server'
import { jsonRpcErrorResponse } from '../errors.ts'
import { LegacySession } from './legacy-session.ts'
import type { ProxyCore } from './scope.ts'

/** Routes 2025-era Streamable HTTP requests to their session by `Mcp-Session-Id`. */
export class SessionRegistry {
  private readonly sessions = new Map<string, LegacySession>()

  constructor(private readonly core: ProxyCore) {}

  get size(): number {
    return this.sessions.size
  }

  all(): Iterable<LegacySession> {
    return this.sessions.values()
  }

  async handle(request: Request, options: HandleRequestOptions): Promise<Response> {
    const sessionId = request.headers.get('mcp-session-id')
    if (sessionId) {
      const session = this.sessions.get(sessionId)
      if (!session) return jsonRpcErrorResponse(404, -32001, 'Session not found: initialize a new session')
      return session.transport.handleRequest(request, options)
    }
    if (request.method !== 'POST' || !containsInitialize(options.parsedBody)) {
      return jsonRpcErrorResponse(400, -32000, 'Bad Request: Mcp-Session-Id header is required')
    }
    const session = new LegacySession(this.core, {
      onInitialized: (initialized) => this.sessions.set(initialized.id as string, initialized),
      onClosed: (closed) => closed.id && this.sessions.delete(closed.id),
    })
    await session.start()
    const response = await session.transport.handleRequest(request, options)
    if (!session.id) await session.close()
    return response
  }

  async closeAll(): Promise<void> {
    const sessions = [...this.sessions.values()]
    this.sessions.clear()
    await Promise.all(sessions.map((session) => session.close()))
  }
}

function containsInitialize(body: unknown): boolean {
  const messages = Array.isArray(body) ? body : [body]
  return messages.some((message) => (message as { method?: unknown } | null)?.method === 'initialize')
}
