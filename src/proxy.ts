import type { FetchLike } from '@modelcontextprotocol/client'
import type { TracerProvider } from '@opentelemetry/api'
import type { Hono } from 'hono'
import { type AppEnv, createApp } from './app/create-app.ts'
import { isLoopback } from './app/guard.ts'
import { AuditLog, type AuditSink } from './audit/audit-log.ts'
import type { ConnectClusterBus } from './cluster/cluster-bus.ts'
import { type ClusterHandle, startCluster } from './cluster/start-cluster.ts'
import type { ProxMCPConfigFile } from './config/define-config.ts'
import { ConfigError, type ResolvedConfig, resolveConfig } from './config/resolve.ts'
import { IdentityLedger } from './credentials/identity-ledger.ts'
import { type Logger, silentLogger } from './logger.ts'
import { ProxyMetrics } from './metrics/proxy-metrics.ts'
import { PluginPipeline } from './plugins/pipeline.ts'
import { planUpstreamChanges, restartOnlyChanges, type UpstreamChanges } from './reload-plan.ts'
import type { SpawnFn } from './runtime/types.ts'
import { Endpoints } from './servers/endpoints.ts'
import { SessionRegistry } from './session/session-registry.ts'
import { type ProxMCPStatus, upstreamStatus } from './status.ts'
import { setUpTracing } from './tracing/set-up-tracing.ts'
import type { Tracing } from './tracing/tracing.ts'
import { createUiDeps } from './ui/ui-deps.ts'
import { ALL_KINDS } from './upstream/list-all.ts'
import type { Upstream } from './upstream/upstream.ts'
import { UpstreamSet } from './upstream/upstream-set.ts'

export interface ProxMCPOptions extends ProxMCPConfigFile {
  /** How to start stdio upstreams; the Bun and Node entry points pass theirs. Absent: stdio is refused. */
  spawn?: SpawnFn
  /**
   * How HTTP upstreams are reached: the global `fetch` unless given (a server in the same program,
   * or a test's in-memory upstream, answers through its own `fetch(request)`).
   */
  fetch?: FetchLike
  logger?: Logger
  /**
   * `persistent` keeps upstream connections open across requests; `per-request` opens one per
   * call and re-reads catalogs when stale, for runtimes that forbid sharing I/O between requests.
   * Default: `per-request` on Cloudflare Workers, `persistent` elsewhere.
   */
  upstreamConnections?: 'persistent' | 'per-request'
  /**
   * Reads the configuration again and applies it (the CLI passes one); the status page's reload
   * button calls it. Resolves to a summary of what changed.
   */
  reloadConfig?: () => Promise<string>
  /**
   * Traces through this OpenTelemetry provider (on Workers and Deno, where ProxMCP does not load
   * the SDK itself). Elsewhere `tracing` in the config sets up the SDK and an OTLP/HTTP exporter.
   */
  tracerProvider?: TracerProvider
  /** How cluster mode (`cluster` in the config) reaches Redis; the Bun and Node entry points pass `connectRedisBus`. */
  clusterBus?: ConnectClusterBus
}

/** The audit trail the config asks for: standard output and/or a rotated file (Node's file APIs, loaded when first written). */
function auditTrail(
  config: ResolvedConfig['audit'],
  metrics: ProxyMetrics,
  logger: Logger,
): AuditLog | undefined {
  if (!config) return undefined
  const { file, stdout, maxBytes, keep, maxBuffered } = config
  const sinks: AuditSink[] = []
  if (stdout) sinks.push({ write: async (text) => console.log(text.trimEnd()) })
  if (file) {
    const opened = import('./runtime/audit-file.ts').then(({ auditFile }) =>
      auditFile(file, { maxBytes, keep }),
    )
    sinks.push({ write: async (text) => (await opened).write(text) })
  }
  return new AuditLog(sinks, {
    maxBuffered,
    onDropped: () => metrics.auditDropped.inc(),
    onError: (error) => logger.error(`audit: a line could not be written: ${(error as Error).message}`),
  })
}

function adminKeyOf(ui: ResolvedConfig['ui']): string | undefined {
  return typeof ui === 'object' ? ui.adminKey : undefined
}

function runsOnWorkers(): boolean {
  return (globalThis as { navigator?: { userAgent?: string } }).navigator?.userAgent === 'Cloudflare-Workers'
}

/**
 * The proxy: many upstream MCP servers behind one endpoint. `getApp()` is a Hono app whose
 * `fetch` runs on Bun, Node, Deno and Cloudflare Workers.
 *
 * @example
 * ```ts
 * const proxy = new ProxMCP({ upstreams: [{ id: 'api', url: 'https://mcp.example.com/mcp' }] })
 * export default { fetch: proxy.getApp().fetch }
 * ```
 */
export class ProxMCP {
  private current: ResolvedConfig
  private readonly upstreamSet: UpstreamSet
  private readonly endpoints: Endpoints
  private readonly plugins: PluginPipeline
  private readonly metrics: ProxyMetrics
  private readonly registry: SessionRegistry
  private readonly logger: Logger
  private readonly perRequest: boolean
  private app: Hono<AppEnv> | undefined
  private started: Promise<void> | undefined
  private accepting = true
  private readonly reloadConfig: (() => Promise<string>) | undefined
  private changing: Promise<unknown> = Promise.resolve()
  private readonly audit: AuditLog | undefined
  private tracing: Tracing | undefined
  private readonly tracingReady: Promise<void>
  private readonly identities = new IdentityLedger()
  private readonly cluster: ClusterHandle | undefined

  constructor(options: ProxMCPOptions) {
    const { spawn, fetch, logger, upstreamConnections, reloadConfig, tracerProvider, clusterBus, ...config } =
      options
    this.perRequest =
      (upstreamConnections ?? (runsOnWorkers() ? 'per-request' : 'persistent')) === 'per-request'
    const perRequest = this.perRequest
    this.current = resolveConfig(config)
    this.reloadConfig = reloadConfig
    const { ui, host, allowedHosts = [] } = this.config
    // Behind a reverse proxy the bind address is loopback, but the Host names allowed say who reaches it.
    const reachable =
      perRequest || !isLoopback(host ?? '127.0.0.1') || allowedHosts.some((name) => !isLoopback(name))
    if (ui && !adminKeyOf(ui) && reachable) {
      throw new ConfigError(['ui: a status page reachable from other machines needs ui.adminKey'])
    }
    this.logger = logger ?? silentLogger
    this.plugins = new PluginPipeline(this.config.plugins, this.logger)
    this.metrics = new ProxyMetrics(
      () => this.upstreamSet.all,
      () => this.registry.sessions.size,
    )
    this.registry = new SessionRegistry(this.config, this.metrics)
    this.upstreamSet = new UpstreamSet(
      this.config.upstreams,
      { spawn, fetch, logger: this.logger, perRequest, identities: this.identities },
      {
        onCatalogChange: (upstream, kinds) => this.endpoints.catalogChanged(kinds, upstream),
        onIdentityToolsChange: (upstream, identity) =>
          this.endpoints.identityToolsChanged(upstream, identity),
        onSharedNotification: (upstream, notification) =>
          this.endpoints.sharedNotification(upstream, notification),
      },
    )
    this.audit = auditTrail(this.config.audit, this.metrics, this.logger)
    this.cluster = startCluster(this.config, this.logger, clusterBus)
    // Requests another replica passes here are served as if they had come in here.
    void this.cluster?.joined.then((node) =>
      node.serveWith(async (request, clientAddress) =>
        this.getApp().fetch(request, { clientAddress, passedOn: true }),
      ),
    )
    this.tracingReady = setUpTracing(this.config.tracing, tracerProvider, {
      warn: (message) => this.logger.warn(message),
      lost: (spans) => this.metrics.tracingLost.inc({}, spans),
    }).then(
      (tracing) => {
        this.tracing = tracing
      },
      (error) => this.logger.error(`tracing could not be set up, so it is off: ${(error as Error).message}`),
    )
    this.endpoints = new Endpoints(
      {
        ...(this.audit && {
          audit: { log: this.audit, includeArguments: this.config.audit?.includeArguments ?? false },
        }),
        upstreams: () => this.upstreamSet.all,
        pageSize: this.config.pageSize,
        plugins: this.plugins,
        metrics: this.metrics,
        registry: this.registry,
        logger: this.logger,
        namespace: this.config.namespace,
        ...(this.cluster && { cluster: this.cluster }),
      },
      this.config,
    )
  }

  /** What the proxy is doing now: each upstream's state and counts, and the sessions open. */
  status(): ProxMCPStatus {
    return {
      upstreams: this.upstreamSet.all.map(upstreamStatus),
      sessions: this.registry.sessions.size,
      callsInFlight: this.metrics.callsInFlight,
    }
  }

  /** The configuration in force (it changes on reload). */
  get config(): ResolvedConfig {
    return this.current
  }

  /** Connects to every upstream (one attempt each; those that fail keep retrying) and runs plugin onInit. */
  start(): Promise<void> {
    this.started ??= (async () => {
      await this.tracingReady
      await this.upstreamSet.startAll()
      await this.plugins.init()
    })()
    return this.started
  }

  /**
   * Before serving a request: started, and per request, catalogs fresh (read within this request).
   * Opening a session needs no upstream: it goes ahead while they connect, except where
   * connections must be made within a request (Workers).
   */
  private async ready(sessionOpening = false): Promise<void> {
    if (sessionOpening && !this.perRequest) {
      // A start that fails fails the session's next request, which waits for it.
      this.start().catch(() => {})
      return
    }
    await this.start()
    if (this.perRequest) await this.upstreamSet.startAll()
  }

  /** The Hono app serving /mcp; the first request starts the proxy if `start()` was not called. */
  getApp(): Hono<AppEnv> {
    this.app ??= createApp({
      config: this.config,
      endpoint: (name) => this.endpoints.at(name),
      plugins: this.plugins,
      metrics: this.metrics,
      upstreams: () => this.upstreamSet.all,
      ready: (sessionOpening) => this.ready(sessionOpening),
      accepting: () => this.accepting,
      ...(this.cluster && { clusterJoined: () => this.cluster?.node() !== undefined }),
      ...(this.config.ui && { ui: this.uiDeps() }),
      ...(this.audit && { audit: this.audit }),
      tracing: () => this.tracing,
      rememberIdentity: (ctx) => this.identities.remember(ctx),
    })
    return this.app
  }

  private uiDeps() {
    const adminKey = adminKeyOf(this.config.ui)
    return createUiDeps({
      ...(adminKey && { adminKey }),
      status: () => this.status(),
      upstreamConfigs: () => this.config.upstreams,
      catalog: this.endpoints.everything.catalog,
      traffic: () => this.metrics.traffic(),
      servers: () => this.endpoints.servers().map((endpoint) => endpoint.summary()),
      serverCatalogs: () => this.endpoints.servers().map(({ name = '', catalog }) => ({ name, catalog })),
      servesMcp: () => this.endpoints.at(undefined) !== undefined,
      restart: (id) => this.restartUpstream(id),
      accepting: () => this.accepting,
      ...(this.reloadConfig && { reload: this.reloadConfig }),
    })
  }

  /**
   * Stops taking new sessions and requests, lets calls in flight finish for up to `graceMs`, then
   * ends everything (`stop()`).
   */
  async shutdown(graceMs = 10_000): Promise<void> {
    this.accepting = false
    const deadline = Date.now() + graceMs
    while (this.metrics.callsInFlight > 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 25))
    await this.stop()
  }

  /**
   * Applies a new configuration without a restart: upstreams added, removed or changed (by id),
   * plugins replaced, virtual servers and tool search applied. Sessions keep running (but those of
   * a removed server); only their connections to changed upstreams are reopened. A config that
   * does not validate throws ConfigError and changes nothing.
   */
  async reload(input: ProxMCPConfigFile): Promise<UpstreamChanges> {
    return this.oneChangeAtATime(async () => {
      const next = resolveConfig(input)
      const changes = planUpstreamChanges(this.config.upstreams, next.upstreams)
      for (const key of restartOnlyChanges(this.config, next)) {
        this.logger.warn(`reload: '${key}' changed; it takes effect at the next restart`)
      }
      // Their catalogs take the new upstreams in the rebuild that settling them does, which announces list_changed.
      const removedServers = this.endpoints.apply(next)
      // The set follows the config in the same step: nothing may see one without the other.
      const swap = this.upstreamSet.replace(changes, next.upstreams)
      this.current = next
      await this.plugins.replace(next.plugins)
      await this.settle(swap)
      await Promise.all(removedServers.map((endpoint) => endpoint.close()))
      await this.plugins.init()
      this.auditChanges(changes)
      return changes
    })
  }

  /** Stops one upstream and connects it afresh, as a reload that changed it would; false when there is none. */
  restartUpstream(id: string): Promise<boolean> {
    return this.oneChangeAtATime(async () => {
      const config = this.config.upstreams.find((upstream) => upstream.id === id)
      if (!config) return false
      this.logger.info(`upstream '${id}' restarted on request`)
      this.audit?.record({ event: 'upstream_restarted', upstream: id })
      const changes = { added: [], removed: [], changed: [config] }
      await this.settle(this.upstreamSet.replace(changes, this.config.upstreams))
      return true
    })
  }

  private auditChanges({ added, removed, changed }: UpstreamChanges): void {
    if (!this.audit) return
    const ids = (list: { id: string }[]) => list.map((upstream) => upstream.id)
    this.audit.record({ event: 'config_reload', added: ids(added), removed, changed: ids(changed) })
    for (const id of ids(added)) this.audit.record({ event: 'upstream_added', upstream: id })
    for (const id of removed) this.audit.record({ event: 'upstream_removed', upstream: id })
  }

  /** Reloads and restarts run one after the other (the file watcher and the status page may ask at once). */
  private oneChangeAtATime<T>(change: () => Promise<T>): Promise<T> {
    const run = this.changing.then(change)
    this.changing = run.catch(() => {})
    return run
  }

  /** Upstreams that left the set are stopped and forgotten by the sessions; the new ones connect. */
  private async settle({ leaving, fresh }: { leaving: Upstream[]; fresh: Upstream[] }): Promise<void> {
    await Promise.all(leaving.map((upstream) => upstream.stop()))
    for (const session of this.registry.sessions) for (const upstream of leaving) session.forget(upstream)
    this.endpoints.catalogChanged(ALL_KINDS)
    await Promise.all(fresh.map((upstream) => upstream.start()))
  }

  /** Ends every session and upstream connection, and every process the proxy started. */
  async stop(): Promise<void> {
    this.registry.stop()
    await this.endpoints.close()
    // Sessions a request opened on a server while a reload removed it.
    await Promise.all([...this.registry.sessions].map((session) => session.close()))
    await this.upstreamSet.stopAll()
    await this.plugins.close()
    await this.cluster?.close()
    // Last: the lines and spans of calls that ended while stopping go out before the proxy does.
    await Promise.all([this.audit?.close(), this.tracing?.close()])
  }
}
