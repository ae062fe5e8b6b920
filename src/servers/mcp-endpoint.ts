import type { Notification } from '@modelcontextprotocol/client'
import { createMcpHandler, type McpHttpHandler } from '@modelcontextprotocol/server'
import { Catalog } from '../aggregate/catalog.ts'
import type { ToolSearchOptions } from '../aggregate/tool-search.ts'
import type { ClusterHandle } from '../cluster/start-cluster.ts'
import { createForwardingServer } from '../forward/forwarding-server.ts'
import type { ProxyCore } from '../forward/scope.ts'
import { type Logger, prefixedLogger } from '../logger.ts'
import type { ProxMCPContext } from '../plugins/types.ts'
import type { SessionGate, SessionRegistry } from '../session/session-registry.ts'
import type { SessionClient, StatefulSession } from '../session/stateful-session.ts'
import { StreamableSessions } from '../session/streamable-sessions.ts'
import { SseSessions } from '../sse/sse-sessions.ts'
import { SharedScope } from '../stateless/shared-scope.ts'
import { Suspensions } from '../stateless/suspensions.ts'
import type { CatalogKind } from '../upstream/list-all.ts'
import type { Upstream } from '../upstream/upstream.ts'
import { type CompiledRules, compileRules, type ServerRules } from './server-rules.ts'

/** Requests whose answer depends on the tools a client may see. */
const TOOL_METHODS = new Set(['tools/list', 'tools/call'])

/** What one endpoint serves: every upstream (`/mcp`) or a virtual server's (`/mcp/<name>`). */
export interface EndpointSettings extends ServerRules {
  /** The virtual server's name; absent for `/mcp` over every upstream. */
  name?: string
  /** Ids of the upstreams served, in the order their names win conflicts; absent: all, in config order. */
  upstreams?: string[]
  instructions?: string
  toolSearch?: ToolSearchOptions
}

export interface ServerSummary {
  name: string
  upstreams: string[]
  /** Open 2025-era sessions on this server. */
  sessions: number
  /** The identity globs its `access` admits; null when anyone may use it. */
  access: string[] | null
  toolSearch: boolean
}

/** What every endpoint of a proxy shares: the upstream connections, plugins, limits and metrics. */
export interface SharedParts extends Omit<ProxyCore, 'catalog' | 'upstreams' | 'server'> {
  upstreams: () => Upstream[]
  registry: SessionRegistry
  logger: Logger
  /** In cluster mode: the replica's node (once joined), and how long an idle session's record is kept. */
  cluster?: Pick<ClusterHandle, 'node' | 'nodeSoon' | 'sessionTtlMs'>
  namespace: boolean
}

/**
 * One MCP server as clients see it at one path, in every transport (Streamable HTTP in both eras,
 * HTTP+SSE): its own merged catalog over its upstreams, built from the shared connections, its own
 * sessions, and the list changes of its own upstreams only.
 */
export class McpEndpoint implements SessionGate {
  readonly sessions = new Set<StatefulSession>()
  readonly catalog: Catalog
  readonly core: ProxyCore
  readonly streamable: StreamableSessions
  readonly sse: SseSessions
  readonly modern: McpHttpHandler
  private rules: CompiledRules
  private readonly suspensions: Suspensions
  private removed = false

  constructor(
    private readonly shared: SharedParts,
    private settings: EndpointSettings,
  ) {
    this.rules = compileRules(settings)
    this.suspensions = new Suspensions(() => shared.cluster?.node()?.tag)
    const { plugins } = shared
    this.catalog = new Catalog(() => this.upstreams(), {
      namespace: shared.namespace,
      // Name conflicts are a server's own: its warnings say which server.
      logger: settings.name ? prefixedLogger(shared.logger, `server '${settings.name}': `) : shared.logger,
      filterTools: (tools, ctx) => this.rules.filter(plugins.filterTools(tools, ctx), ctx),
      ...(settings.toolSearch && { toolSearch: settings.toolSearch }),
    })
    const endpoint = this
    this.core = {
      catalog: this.catalog,
      plugins,
      metrics: shared.metrics,
      pageSize: shared.pageSize,
      ...(shared.audit && { audit: shared.audit }),
      get upstreams() {
        return endpoint.upstreams()
      },
      get server() {
        const { name, instructions } = endpoint.settings
        return name === undefined ? undefined : { name, ...(instructions !== undefined && { instructions }) }
      },
    }
    this.streamable = new StreamableSessions(
      this.core,
      this,
      shared.cluster && { ...shared.cluster, server: settings.name ?? null },
    )
    this.sse = new SseSessions(this.core, this, shared.cluster?.node)
    // Paused 2026-07-28 calls are this server's own: a retry sent to another server cannot resume them.
    const scope = new SharedScope(this.suspensions)
    this.modern = createMcpHandler(() => createForwardingServer(this.core, scope), { legacy: 'reject' })
  }

  get name(): string | undefined {
    return this.settings.name
  }

  /** Applies changed settings (a reload); the catalog rebuild that follows announces the change. */
  update(settings: EndpointSettings): void {
    const before = this.upstreams()
    this.settings = settings
    // Its sessions let go of upstreams it no longer serves (per-session processes, upstream sessions).
    const dropped = before.filter((upstream) => !this.serves(upstream))
    for (const session of this.sessions) for (const upstream of dropped) void session.release(upstream)
    this.rules = compileRules(settings)
    this.catalog.setToolSearch(settings.toolSearch)
    // Narrowed rules hold from now on, not from the next rebuild.
    this.catalog.rebuild()
  }

  /** Still served: a request that began before a reload removed it must not open anything on it. */
  get isOpen(): boolean {
    return !this.removed
  }

  /** What the status page shows of a virtual server. */
  summary(): ServerSummary {
    const { name = '', upstreams = [], access, toolSearch } = this.settings
    return {
      name,
      upstreams,
      sessions: this.sessions.size,
      access: access ? Object.keys(access) : null,
      toolSearch: toolSearch !== undefined,
    }
  }

  /** Before a request that lists, searches or calls tools: this client's own tool lists are read where they are kept per identity. */
  prepareTools(ctx: ProxMCPContext): Promise<unknown> | undefined {
    return ctx.rpc && TOOL_METHODS.has(ctx.rpc.method) ? this.catalog.prepare(ctx) : undefined
  }

  /** Whether this identity may use the server at all (its `access` names it). */
  admits(identity: string | undefined): boolean {
    return this.rules.admits(identity)
  }

  serves(upstream: Upstream): boolean {
    return this.settings.upstreams?.includes(upstream.id) ?? true
  }

  /** The input schema of a tool as this client sees it, as its upstream declared it. */
  toolInputSchema(name: string, ctx: ProxMCPContext): unknown {
    const route = this.catalog.routeTool(name, ctx)
    return route?.upstream.identities.tool(route.name, ctx.identity)?.inputSchema
  }

  /** An upstream's lists changed (or, without one, the set of upstreams did): rebuild, and tell this endpoint's clients. */
  catalogChanged(kinds: CatalogKind[], upstream?: Upstream): void {
    if (upstream && !this.serves(upstream)) return
    this.catalog.rebuild()
    const tools = kinds.includes('tools')
    const prompts = kinds.includes('prompts')
    const resources = kinds.includes('resources') || kinds.includes('resourceTemplates')
    if (tools) this.modern.notify.toolsChanged()
    if (prompts) this.modern.notify.promptsChanged()
    if (resources) this.modern.notify.resourcesChanged()
    for (const session of this.sessions) {
      if (tools) void session.server.sendToolListChanged().catch(() => {})
      if (prompts) void session.server.sendPromptListChanged().catch(() => {})
      if (resources) void session.server.sendResourceListChanged().catch(() => {})
    }
  }

  /** A notification on an upstream's shared connection, for the clients it concerns here. */
  sharedNotification(upstream: Upstream, notification: Notification): void {
    if (!this.serves(upstream)) return
    const uri = (notification.params as { uri?: unknown } | undefined)?.uri
    if (notification.method === 'notifications/resources/updated' && typeof uri === 'string') {
      this.modern.notify.resourceUpdated(uri)
    }
    if (upstream.sharesProcess)
      for (const session of this.sessions) session.relayShared(upstream, notification)
  }

  /** Ends this endpoint's sessions (the server was removed, or the proxy stops). */
  async close(): Promise<void> {
    this.removed = true
    this.suspensions.clear()
    await this.closeSessions()
    await this.modern.close()
  }

  /** Ends the sessions opened here (`/mcp` now serves another endpoint), keeping the endpoint. */
  async closeSessions(): Promise<void> {
    await Promise.all([...this.sessions].map((session) => session.close()))
  }

  get maxCallsPerSession(): number {
    return this.shared.registry.maxCallsPerSession
  }

  admit(client: SessionClient): Response | undefined {
    return this.shared.registry.admit(client)
  }

  opened(session: StatefulSession): void {
    this.sessions.add(session)
    this.shared.registry.opened(session)
    if (this.removed) void session.close()
  }

  closed(session: StatefulSession): void {
    this.sessions.delete(session)
    this.shared.registry.closed(session)
  }

  private upstreams(): Upstream[] {
    const all = this.shared.upstreams()
    const ids = this.settings.upstreams
    if (!ids) return all
    // The server's own order decides conflicts among its upstreams.
    return ids.flatMap((id) => all.filter((upstream) => upstream.id === id))
  }
}
