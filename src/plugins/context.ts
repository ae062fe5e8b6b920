import type { AuthInfo, ServerContext } from '@modelcontextprotocol/server'
import type { ProxMCPContext } from './types.ts'

type RpcSummary = NonNullable<ProxMCPContext['rpc']>

/** What the HTTP layer already knows about a request when its plugin context is made. */
export interface RequestFacts {
  request: Request
  /** The URL path, as the router parsed it. */
  path: string
  clientAddress: string | undefined
  /** The parsed JSON-RPC body, where there is one. */
  body?: unknown
  sessionId?: string
  server?: string
}

/** A fresh plugin context for one HTTP request. */
export function createContext(facts: RequestFacts): ProxMCPContext {
  const { request, path, clientAddress, body } = facts
  return {
    requestId: crypto.randomUUID(),
    sessionId: facts.sessionId ?? request.headers.get('mcp-session-id') ?? undefined,
    http: { method: request.method, path },
    clientAddress,
    ...(facts.server !== undefined && { server: facts.server }),
    rpc: summarize(Array.isArray(body) ? body[0] : body),
    state: new Map(),
  }
}

function summarize(message: unknown): RpcSummary | undefined {
  if (typeof message !== 'object' || message === null) return undefined
  const { method, id, params } = message as { method?: unknown; id?: unknown; params?: unknown }
  if (typeof method !== 'string') return undefined
  return {
    method,
    ...((typeof id === 'string' || typeof id === 'number') && { id }),
    ...(typeof params === 'object' && params !== null && { params: params as Record<string, unknown> }),
  }
}

const CONTEXT_KEY = 'proxmcpContext'
const CLIENT_GONE_KEY = 'proxmcpClientGone'

/**
 * The SDK hands `authInfo` to every request handler, in both eras: the plugin context rides in
 * its `extra`, so handlers see the identity the auth plugin established and can report the
 * upstream used; so does the signal that aborts when the client goes away (its HTTP request's,
 * or for HTTP+SSE clients the event stream's).
 */
export function authInfoFor(ctx: ProxMCPContext, clientGone: AbortSignal): AuthInfo {
  return {
    token: '',
    clientId: ctx.identity ?? 'anonymous',
    scopes: [],
    extra: { [CONTEXT_KEY]: ctx, [CLIENT_GONE_KEY]: clientGone },
  }
}

/** The plugin context of the HTTP request a handler is serving, when there is one. */
export function contextOf(serverContext: ServerContext): ProxMCPContext | undefined {
  return contextOfAuth(serverContext.http?.authInfo)
}

/** The plugin context carried by `authInfo` (see {@link authInfoFor}). */
export function contextOfAuth(authInfo: AuthInfo | undefined): ProxMCPContext | undefined {
  return authInfo?.extra?.[CONTEXT_KEY] as ProxMCPContext | undefined
}

/** Aborts when the client of the request a handler is serving goes away. */
export function clientGoneSignal(serverContext: ServerContext): AbortSignal | undefined {
  return serverContext.http?.authInfo?.extra?.[CLIENT_GONE_KEY] as AbortSignal | undefined
}

/** Bearer tokens the auth plugin verified, by request: kept off the context so no plugin or log sees them. */
const verifiedTokens = new WeakMap<ProxMCPContext, string>()

/** The auth plugin verified this bearer JWT for the request (a token exchange may trade it upstream). */
export function setVerifiedToken(ctx: ProxMCPContext, token: string): void {
  verifiedTokens.set(ctx, token)
}

export function verifiedTokenOf(ctx: ProxMCPContext): string | undefined {
  return verifiedTokens.get(ctx)
}
