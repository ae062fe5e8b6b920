import {
  type Notification,
  type PriorDiscovery,
  ProtocolError,
  type ServerCapabilities,
} from '@modelcontextprotocol/client'
import type { UpstreamConfig } from '../config/resolve.ts'
import type { Credential } from '../credentials/credential.ts'
import type { UpstreamCredentials } from '../credentials/upstream-credentials.ts'
import { backoffDelay } from './backoff.ts'
import { openLink, verdictOf } from './connect-client.ts'
import { describe, eraGuessForRetry, sharedLinkCapabilities } from './connection-policy.ts'
import type { SharedSessionTransport } from './create-transport.ts'
import type { IdentityTools } from './identity-tools.ts'
import { type JsonObject, probeLink, type UpstreamLink } from './link.ts'
import {
  ALL_KINDS,
  type CatalogKind,
  kindOfListChanged,
  listenForListChanges,
  type UpstreamCatalog,
} from './list-all.ts'
import { requestLink, type SessionLinkOptions, SessionLinks } from './session-links.ts'
import { SharedProcessAsks } from './shared-process-asks.ts'
import { describeProcessExit } from './stdio-transport.ts'
import type { UpstreamDeps } from './upstream-deps.ts'
import { UpstreamIdentities } from './upstream-identities.ts'
import { UpstreamLists } from './upstream-lists.ts'
import { UpstreamTransports } from './upstream-transports.ts'

export type UpstreamState = 'connecting' | 'up' | 'down' | 'stopped'

/** Per request, how long a catalog read is trusted before it is read again. */
const CATALOG_TTL_MS = 30_000

export interface UpstreamEvents {
  onCatalogChange(upstream: Upstream, kinds: CatalogKind[]): void
  /** Where tools are listed per identity: this identity's list changed. */
  onIdentityToolsChange?(upstream: Upstream, identity: string): void
  /** A notification on the shared link that is not about the catalog (e.g. resources/updated). */
  onSharedNotification?(upstream: Upstream, notification: Notification): void
}

/**
 * One configured upstream: keeps a shared connection up (reconnecting with backoff), knows its era
 * and capabilities, holds its catalog, and opens per-session connections on demand.
 */
export class Upstream {
  state: UpstreamState = 'connecting'
  capabilities: ServerCapabilities | undefined
  /** Reconnects since start, for supervision and metrics. */
  reconnects = 0
  /** For a shared process: what its client sessions asked of it. */
  readonly asks = new SharedProcessAsks()
  lastError: string | undefined
  /** The upstream as each identity reaches it: credentials, connections and tool lists per identity. */
  readonly identities: UpstreamIdentities
  private shared: UpstreamLink | undefined
  private verdict: PriorDiscovery | undefined
  private attempt = 0
  private retryTimer: ReturnType<typeof setTimeout> | undefined
  private firstConnect: Promise<void> | undefined
  private readonly sessionLinks: SessionLinks
  private readonly lists: UpstreamLists
  /** Per request: when the catalog was read, and when a failed upstream may be tried again. */
  private catalogReadAt = 0
  private retryAfter = 0
  private readonly transports: UpstreamTransports

  constructor(
    readonly config: UpstreamConfig,
    private readonly deps: UpstreamDeps,
    private readonly events: UpstreamEvents,
  ) {
    this.transports = new UpstreamTransports(config, deps)
    const host = {
      config,
      verdict: () => this.verdict,
      checkHealth: () => this.checkHealth(),
      transport: (credential: Credential, shared?: SharedSessionTransport) =>
        this.transports.create('session', credential, shared),
    }
    this.identities = new UpstreamIdentities(
      {
        ...host,
        perRequest: deps.perRequest === true,
        sharedLink: () => this.sharedLink(),
        catalogTools: () => this.lists.catalog.tools,
        withRequestLink: (credential, use) =>
          this.sessionLinks.withRequestLink(requestLink({}, credential), use),
        toolsChanged: () => events.onCatalogChange(this, ['tools']),
        identityToolsChanged: (identity) => events.onIdentityToolsChange?.(this, identity),
      },
      deps,
    )
    this.lists = new UpstreamLists({
      upstreamId: config.id,
      logger: deps.logger,
      link: () => this.sharedLink(),
      onRetried: (kind) => events.onCatalogChange(this, [kind]),
      retries: deps.perRequest !== true,
    })
    this.sessionLinks = new SessionLinks({
      ...host,
      sharedConnection: (credential) => this.identities.connectionFor(credential),
    })
  }

  get id(): string {
    return this.config.id
  }

  /** Everything the upstream lists now, as it listed it. */
  get catalog(): UpstreamCatalog {
    return this.lists.catalog
  }

  /** What the upstream listed before it went down, to tell clients why a name is missing. */
  get lastKnownCatalog(): UpstreamCatalog {
    return this.lists.lastKnown
  }

  /** A stdio upstream that runs a process per session. */
  get processPerSession(): boolean {
    return this.config.transport === 'stdio' && !this.config.shareProcess
  }

  /** A stdio upstream whose one process serves every client session (`shareProcess`). */
  get sharesProcess(): boolean {
    return this.config.transport === 'stdio' && this.config.shareProcess
  }

  /** True where connections must not outlive a request (Cloudflare Workers). */
  get perRequest(): boolean {
    return this.deps.perRequest === true
  }

  /** The era this upstream speaks, once known. */
  get era(): 'legacy' | 'modern' | undefined {
    return this.verdict?.kind
  }

  /**
   * Starts connecting; resolves after the first attempt, whether it succeeded or not. Per request,
   * it re-reads the catalog when it is stale, within the calling request.
   */
  start(): Promise<void> {
    if (this.deps.perRequest) return this.refreshForRequest()
    this.firstConnect ??= this.connect()
    return this.firstConnect
  }

  /** See SessionLinks.withRequestLink (Cloudflare Workers). */
  withRequestLink<T>(options: SessionLinkOptions, use: (link: UpstreamLink) => Promise<T>): Promise<T> {
    return this.sessionLinks.withRequestLink(options, use)
  }

  /** The connection shared by requests that have no session of their own (2026-07-28 clients). */
  sharedLink(): UpstreamLink | undefined {
    return this.state === 'up' && this.shared?.isOpen ? this.shared : undefined
  }

  /** What the upstream is reached with: its service credential, and each identity's where configured. */
  get credentials(): UpstreamCredentials {
    return this.identities.credentials
  }

  /** Each identity's own tool list, where the upstream lists different tools to different users. */
  get identityTools(): IdentityTools | undefined {
    return this.identities.tools
  }

  /** A connection for one downstream session (see SessionLinks.connect). */
  openSessionLink(options: SessionLinkOptions): Promise<UpstreamLink> {
    return this.sessionLinks.connect(options)
  }

  /**
   * A session is done with a connection: closed if it was opened for the session, kept if the
   * session shared it. `keepUpstreamSession`: disconnected without ending the upstream session,
   * which other replicas go on using.
   */
  closeSessionLink(link: UpstreamLink, keepUpstreamSession = false): Promise<void> {
    if (!this.sessionLinks.owns(link)) return Promise.resolve()
    return keepUpstreamSession ? link.disconnect() : link.close()
  }

  async stop(): Promise<void> {
    this.state = 'stopped'
    clearTimeout(this.retryTimer)
    this.lists.cancelRetries()
    this.transports.close()
    const links = [...this.sessionLinks.takeAll(), ...(this.shared ? [this.shared] : [])]
    this.shared = undefined
    await Promise.all([...links.map((link) => link.leave()), this.identities.close()])
  }

  /** Re-reads the given parts of the catalog after the upstream said they changed. */
  async refresh(kinds: CatalogKind[]): Promise<void> {
    if (kinds.includes('tools')) this.identityTools?.forgetAll()
    const link = this.sharedLink()
    if (!link) return
    if (await this.lists.read(link, kinds)) this.events.onCatalogChange(this, kinds)
  }

  private async connect(): Promise<void> {
    if (this.isStopped()) return
    this.setState('connecting')
    try {
      const link = await this.connectShared()
      if (this.isStopped()) return void (await link.close())
      this.shared = link
      this.markUp(link)
      this.transports.prestart()
      if (this.era === 'modern') {
        void listenForListChanges(link, (error) =>
          this.deps.logger.debug(`upstream '${this.id}' offers no change stream: ${describe(error)}`),
        )
      }
      this.asks.renew(link)
    } catch (error) {
      this.markFailed(error)
      this.scheduleReconnect()
    }
  }

  /** Per request: reads the catalog when it is stale, in the request's own context, and lets go. */
  private async refreshForRequest(): Promise<void> {
    const now = Date.now()
    if (this.state === 'up' ? now - this.catalogReadAt < CATALOG_TTL_MS : now < this.retryAfter) return
    try {
      const link = await this.connectShared()
      await link.close()
      this.catalogReadAt = now
      this.markUp(link)
    } catch (error) {
      this.markFailed(error)
      this.setState('down')
      this.retryAfter = now + backoffDelay(this.attempt++)
    }
  }

  /** Connects the shared link and reads what the upstream is and offers. */
  private async connectShared(): Promise<UpstreamLink> {
    const link = await openLink(this.config, this.transports.create('shared', this.credentials.service), {
      capabilities: sharedLinkCapabilities(this.config.transport),
      prior: this.verdict ?? eraGuessForRetry(this.config, this.attempt),
      sessionScoped: false,
      onNotification: (notification) => this.onSharedNotification(notification),
      onClose: (closed) => this.onSharedClose(closed),
      onConnectionFailure: () => this.checkHealth(),
    })
    try {
      this.verdict = verdictOf(link.client)
      this.sessionLinks.forgetEraAnswer()
      this.capabilities = link.client.getServerCapabilities() ?? {}
      // The handshake alone decides that the upstream is up: each list is read on its own.
      await this.lists.readAll(link, this.capabilities)
      if (!link.isOpen) throw new Error('the connection closed while its lists were read')
      return link
    } catch (error) {
      // What it listed before failing is not served, and none of its lists is read again.
      this.lists.clear()
      await link.close()
      throw error
    }
  }

  private markUp(link: UpstreamLink): void {
    const wasUp = this.state === 'up'
    this.identityTools?.forgetAll()
    this.attempt = 0
    this.lastError = undefined
    this.setState('up')
    if (!wasUp) {
      const version = link.client.getNegotiatedProtocolVersion()
      this.deps.logger.info(`upstream '${this.id}' is up (${this.describeConnection(version)})`)
    }
    this.events.onCatalogChange(this, ALL_KINDS)
  }

  private markFailed(error: unknown): void {
    // Clients and /readyz get the one-line reason; only the log gets the process's stderr.
    const exit = this.transports.lastExit
    this.lastError = exit?.reason ?? describe(error)
    const level = this.attempt === 0 ? 'warn' : 'debug'
    const detail = exit ? describeProcessExit(exit) : this.lastError
    this.deps.logger[level](`upstream '${this.id}' is unavailable (retrying): ${detail}`)
  }

  private describeConnection(version: string | undefined): string {
    return `${this.config.transport}, protocol ${version ?? 'unknown'}, ${this.catalog.tools.length} tools`
  }

  private onSharedNotification(notification: Notification): void {
    const kinds = kindOfListChanged(notification.method)
    if (kinds) void this.refresh(kinds)
    else this.events.onSharedNotification?.(this, notification)
  }

  private onSharedClose(link: UpstreamLink): void {
    if (link !== this.shared || this.state === 'stopped') return
    this.shared = undefined
    const exit = this.transports.lastExit
    this.deps.logger.warn(`upstream '${this.id}' disconnected${exit ? `: ${describeProcessExit(exit)}` : ''}`)
    this.markDown()
  }

  /** A request failed at the connection level: confirm with a probe, and reconnect if the link is dead. */
  private checkHealth(): void {
    const link = this.shared
    if (!link || this.state !== 'up') return
    void probeLink(link).catch(async (error) => {
      // Any JSON-RPC answer, Method not found included, shows the connection is alive.
      if (this.shared !== link || error instanceof ProtocolError) return
      this.shared = undefined
      this.deps.logger.warn(`upstream '${this.id}' stopped answering`)
      await link.close()
      this.markDown()
    })
  }

  private markDown(): void {
    this.identities.drop()
    this.lists.clear()
    this.setState('down')
    this.events.onCatalogChange(this, ALL_KINDS)
    this.reconnects++
    this.scheduleReconnect()
  }

  private scheduleReconnect(): void {
    if (this.state === 'stopped') return
    this.setState('down')
    const delay = backoffDelay(this.attempt++)
    this.retryTimer = setTimeout(() => void this.connect(), delay)
  }

  /** Read through a method: `stop()` may run while a connect is awaiting. */
  private isStopped(): boolean {
    return this.state === 'stopped'
  }

  private setState(state: UpstreamState): void {
    if (this.state === state || this.state === 'stopped') return
    this.state = state
  }
}

export type { JsonObject, SessionLinkOptions, UpstreamDeps }
