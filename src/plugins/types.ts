/** A tool as the proxy exposes it, with the upstream that serves it. */
export interface ProxMCPTool {
  name: string
  description?: string
  inputSchema: Record<string, unknown>
  /** The id of the upstream that serves this tool. */
  upstream: string
  [key: string]: unknown
}

/** What a plugin hook knows about the request being served. */
export interface ProxMCPContext {
  /** Unique per HTTP request, for correlating log lines. */
  readonly requestId: string
  /** The MCP session, for 2025-era clients; undefined for 2026-07-28 requests and before initialize. */
  readonly sessionId?: string
  /** The HTTP method and path of the request (`POST /mcp`, `GET /.well-known/...`). */
  readonly http: { readonly method: string; readonly path: string }
  /** The client's address as seen by the server socket. */
  readonly clientAddress?: string
  /** The virtual server addressed (`/mcp/<name>`); undefined for `/mcp` when it serves every upstream. */
  readonly server?: string
  /** Who the client is, once an auth plugin has said so. */
  identity?: string
  /** The JSON-RPC request, where the body is one. */
  readonly rpc?: { method: string; id?: string | number; params?: Record<string, unknown> }
  /** The upstream that served the request, once known. */
  upstream?: string
  /** The W3C trace id of the request's span, when tracing is on. */
  traceId?: string
  /** Per-request scratch space shared between plugins. */
  readonly state: Map<string, unknown>
}

/**
 * A ProxMCP plugin: a plain object with optional hooks, made by a factory.
 *
 * @example
 * ```ts
 * export function headerPlugin(): ProxMCPPlugin {
 *   return {
 *     name: 'deny-anonymous',
 *     onRequest: (ctx, request) =>
 *       request.headers.has('x-team') ? undefined : new Response('x-team header required', { status: 403 }),
 *   }
 * }
 * ```
 */
export interface ProxMCPPlugin {
  name: string
  onInit?(): void | Promise<void>
  /** Return a Response to answer the request here (e.g. 401, 429); return nothing to let it through. */
  onRequest?(ctx: ProxMCPContext, request: Request): Response | undefined | Promise<Response | undefined>
  /** Observes the response; cannot change it. */
  onResponse?(ctx: ProxMCPContext, response: Response, durationMs: number): void | Promise<void>
  /** Called when an upstream fails while serving the request. */
  onError?(ctx: ProxMCPContext, error: unknown): void | Promise<void>
  /** The proxy stops, or a reload removed this plugin: release connections and timers. */
  onClose?(): void | Promise<void>
  /** Filters, renames or rewrites the merged tool list. */
  filterTools?(tools: ProxMCPTool[], ctx?: ProxMCPContext): ProxMCPTool[]
  /**
   * Sees the result of every `tools/call`, `resources/read` and `prompts/get` before the client
   * does (`ctx.rpc.method` says which, `ctx.upstream` who answered): return a rewritten result,
   * or nothing to keep it; throw to fail the call instead (a ProxyError's code and message reach
   * the client). Runs in plugin order, each hook on what the one before returned.
   */
  onResult?(
    ctx: ProxMCPContext,
    result: ProxMCPResult,
  ): ProxMCPResult | undefined | Promise<ProxMCPResult | undefined>
}

/** A result as an upstream sent it: a tool's `content`, a resource's `contents`, a prompt's `messages`, and the rest. */
export type ProxMCPResult = Record<string, unknown>
