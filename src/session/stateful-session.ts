import type { ClientCapabilities, Notification } from '@modelcontextprotocol/client'
import {
  CLIENT_CAPABILITIES_META_KEY,
  LOG_LEVEL_META_KEY,
  type Server,
  type ServerContext,
  type Transport,
} from '@modelcontextprotocol/server'
import type { SessionSharing, SharableSession } from '../cluster/clustered-session.ts'
import { isCredentialError, proxyErrors } from '../errors.ts'
import { callSignal } from '../forward/call-signal.ts'
import { DirectCalls } from '../forward/direct-calls.ts'
import { createForwardingServer } from '../forward/forwarding-server.ts'
import type { CallScope, ProxyCore, SessionRequests, SuspendableCall } from '../forward/scope.ts'
import { upstreamUnavailable } from '../forward/unavailable.ts'
import type { JsonObject, UpstreamLink } from '../upstream/link.ts'
import { looseResult } from '../upstream/loose-result.ts'
import { isMethodNotFound, namingMissingMethod } from '../upstream/method-not-found.ts'
import type { SessionLinkOptions, Upstream } from '../upstream/upstream.ts'
import { NotificationRelay } from './notification-relay.ts'
import { ProcessSubscriptions } from './process-subscriptions.ts'
import { openSharedLink } from './shared-upstream-link.ts'

/** Where a session registers itself, and the bounds it keeps. */
export interface SessionHost {
  readonly maxCallsPerSession: number
  opened(session: StatefulSession): void
  closed(session: StatefulSession): void
}

export interface SessionClient {
  address?: string
  identity?: string
}

/**
 * One 2025-era client session, over Streamable HTTP or the HTTP+SSE transport: its SDK server
 * and its own connection to each upstream it uses, so whatever an upstream asks or tells
 * reaches exactly this client.
 */
export class StatefulSession implements CallScope, SessionRequests, SharableSession {
  readonly server: Server
  /** The fast path past the SDK: tools/call to 2025-era upstreams, and lists (see DirectCalls). */
  readonly direct: DirectCalls
  private readonly links = new Map<Upstream, Promise<UpstreamLink>>()
  /** Upstreams this copy speaks to in a session other replicas share (cluster mode). */
  private readonly sharedUpstreamSessions = new Set<Upstream>()
  private readonly processSubscriptions = new ProcessSubscriptions()
  private logLevel: string | undefined
  private closed = false
  private readonly notifications: NotificationRelay
  private callsInFlight = 0
  private lastActivity = Date.now()
  /** Set when the session is shared with other replicas. */
  sharing: SessionSharing | undefined

  constructor(
    private readonly core: ProxyCore,
    private readonly transport: Transport,
    /** Who opened the session: its address (for per-client limits) and identity (only it may use the session). */
    readonly client: SessionClient,
    private readonly host: SessionHost,
    private readonly onClosed: () => void,
  ) {
    this.server = createForwardingServer(core, this, this)
    this.notifications = new NotificationRelay(this.server, () => this.logLevel)
    this.direct = new DirectCalls({
      core,
      sessionId: () => this.id,
      clientCapabilities: () => this.clientCapabilities(),
      link: (upstream) => this.link(upstream),
      admitCall: () => this.admitCall(),
      requestIdPrefix: () => this.sharing?.requestIdPrefix ?? 'proxmcp-',
      primingEventId: (clientId) => this.sharing?.primingEventId(clientId),
    })
    this.server.onclose = () => void this.close()
    this.server.setNotificationHandler('notifications/roots/list_changed', async (notification) => {
      for (const link of await this.openLinks()) await link.notify(notification)
    })
  }

  get id(): string | undefined {
    return this.transport.sessionId
  }

  async start(): Promise<void> {
    await this.server.connect(this.transport)
    this.host.opened(this)
  }

  async withLink<T>(upstream: Upstream, use: (link: UpstreamLink) => Promise<T>): Promise<T> {
    if (upstream.perRequest) return upstream.withRequestLink(this.linkOptions(upstream), use)
    return use(await this.link(upstream))
  }

  link(upstream: Upstream): Promise<UpstreamLink> {
    if (upstream.sharesProcess) {
      const shared = upstream.sharedLink()
      return shared ? Promise.resolve(shared) : Promise.reject(upstreamUnavailable(upstream))
    }
    const existing = this.links.get(upstream)
    if (existing) return existing.then((link) => (link.isOpen ? link : this.reopen(upstream, true)))
    return this.reopen(upstream, false)
  }

  async runCall(ctx: ServerContext, call: SuspendableCall): Promise<JsonObject> {
    const release = this.admitCall()
    try {
      return await call(
        (request, signal) => ctx.mcpReq.send(request as never, looseResult, { signal }),
        callSignal(ctx),
      )
    } finally {
      release()
    }
  }

  /** Takes one of the session's call slots, or refuses past its limit; returns the slot's release. */
  admitCall(): () => void {
    const { maxCallsPerSession } = this.host
    if (this.callsInFlight >= maxCallsPerSession) {
      this.core.metrics.rejected.inc({ reason: 'call_limit' })
      throw proxyErrors.tooManyCalls(maxCallsPerSession)
    }
    this.callsInFlight++
    return () => {
      this.callsInFlight--
      this.touch()
    }
  }

  /** Whether a request from this identity may use the session. */
  belongsTo(identity: string | undefined): boolean {
    return this.client.identity === identity
  }

  /** A request for this session arrived: it is not idle. */
  touch(): void {
    this.lastActivity = Date.now()
  }

  /** Idle since before `cutoff`, with no call in progress. */
  idleSince(cutoff: number): boolean {
    return this.callsInFlight === 0 && this.lastActivity < cutoff
  }

  /**
   * Sets the level on every upstream that logs. One without `logging/setLevel` is passed over: its
   * messages are filtered here instead, and the level still reaches the others.
   */
  async setLogLevel(level: string): Promise<void> {
    await this.applyLogLevel(level)
    await this.sharing?.logLevelSet(level)
  }

  /** The level another replica's request set, or the one the session had where it was adopted. */
  async applyLogLevel(level: string): Promise<void> {
    this.logLevel = level
    const logging = this.core.upstreams.filter(
      (upstream) =>
        upstream.state === 'up' &&
        upstream.capabilities?.logging &&
        upstream.credentials.covers(this.client.identity),
    )
    const settled = await Promise.allSettled(
      logging.map((upstream) =>
        this.withLink(upstream, async (link) => {
          // A shared process logs at the most verbose level any session asked; each session gets its share.
          if (upstream.sharesProcess && !upstream.asks.raiseLogLevel(level)) return
          // 2026-07-28 has no logging/setLevel: the level travels in each request's envelope.
          if (!link.isModern) await this.sendLogLevel(link)
        }),
      ),
    )
    // An upstream this identity has no usable credential for is passed over, like one that does not log.
    const failure = settled.find(
      (outcome) => outcome.status === 'rejected' && !isCredentialError(outcome.reason),
    )
    if (failure?.status === 'rejected') throw failure.reason
  }

  /** A session's calls are answered in one exchange: none is ever paused for a retry. */
  resumeCall(): undefined {
    return undefined
  }

  envelope(): JsonObject {
    return {
      [CLIENT_CAPABILITIES_META_KEY]: this.clientCapabilities(),
      ...(this.logLevel !== undefined && { [LOG_LEVEL_META_KEY]: this.logLevel }),
    }
  }

  async subscribe(upstream: Upstream, uri: string, subscribed: boolean): Promise<void> {
    if (this.sharing) await this.sharing.subscriptionSet(upstream, uri, subscribed)
    else await this.follow(upstream, uri, subscribed)
  }

  /** (Un)subscribes on this session's connection to the upstream. */
  async follow(upstream: Upstream, uri: string, subscribed: boolean): Promise<void> {
    const method = subscribed ? 'resources/subscribe' : 'resources/unsubscribe'
    if (upstream.sharesProcess && !this.processSubscriptions.count(upstream, uri, subscribed)) return
    await this.withLink(upstream, (link) => link.request(method, { uri })).catch(
      namingMissingMethod(upstream.id, method),
    )
  }

  /**
   * A notification from a process this session shares with others: relayed when it concerns this
   * session (a resource it subscribed to, a log message at its level).
   */
  relayShared(upstream: Upstream, notification: Notification): void {
    if (this.processSubscriptions.concerns(upstream, notification))
      this.notifications.relay(upstream.id, notification)
  }

  sharesUpstreamSession(upstream: Upstream): boolean {
    return this.sharedUpstreamSessions.has(upstream)
  }

  async openUpstreamStream(upstream: Upstream): Promise<boolean> {
    if (this.closed) return false
    const link = await this.link(upstream).catch(() => undefined)
    return (await link?.openStream()) ?? false
  }

  upstreamById(id: string): Upstream | undefined {
    return this.core.upstreams.find((upstream) => upstream.id === id)
  }

  /** Drops the connection to an upstream that a reload replaced (the upstream closed it). */
  forget(upstream: Upstream): void {
    this.links.delete(upstream)
  }

  /** Closes this session's connection to an upstream its server no longer serves (a reload narrowed it). */
  async release(upstream: Upstream): Promise<void> {
    const link = this.links.get(upstream)
    this.links.delete(upstream)
    this.unfollowProcesses(upstream)
    const keep = this.sharedUpstreamSessions.has(upstream)
    await link?.then((opened) => upstream.closeSessionLink(opened, keep)).catch(() => {})
  }

  /** Whether the session ended (its upstream connections may still be closing). */
  get isClosed(): boolean {
    return this.closed
  }

  /**
   * Ends the session and every upstream connection it holds. In cluster mode the upstream sessions
   * other replicas share go on, unless the client ended the session here (DELETE).
   */
  async close(endedByClient = false): Promise<void> {
    if (this.closed) return
    this.closed = true
    this.host.closed(this)
    this.onClosed()
    this.direct.abort()
    this.unfollowProcesses()
    // Other replicas go on in the shared upstream sessions, unless the session is over everywhere.
    const keepShared = this.sharing !== undefined && !endedByClient && (await this.sharing.lives())
    const open = [...this.links].map(([upstream, link]) =>
      link
        .then((opened) =>
          upstream.closeSessionLink(opened, keepShared && this.sharedUpstreamSessions.has(upstream)),
        )
        .catch(() => {}),
    )
    this.links.clear()
    await Promise.all(open)
    await this.server.close().catch(() => {})
  }

  /** Ends the session's subscriptions on shared processes (on `upstream`, or all). */
  private unfollowProcesses(upstream?: Upstream): void {
    for (const [each, uri] of this.processSubscriptions.held(upstream)) {
      void this.follow(each, uri, false).catch(() => {})
    }
  }

  /** `again`: this session's last link to the upstream was lost. */
  private reopen(upstream: Upstream, again: boolean): Promise<UpstreamLink> {
    if (this.closed || upstream.state !== 'up') return Promise.reject(upstreamUnavailable(upstream))
    const opening = this.openLink(upstream, again)
    this.links.set(upstream, opening)
    opening.catch(() => this.links.get(upstream) === opening && this.links.delete(upstream))
    return opening
  }

  private async openLink(upstream: Upstream, again: boolean): Promise<UpstreamLink> {
    const options = this.linkOptions(upstream)
    const link =
      this.sharing && upstream.config.transport === 'streamable-http'
        ? await openSharedLink(upstream, options, this.sharing, again)
        : await upstream.openSessionLink(options)
    const shared = this.sharing !== undefined && link.upstreamSession !== undefined
    if (shared) this.sharedUpstreamSessions.add(upstream)
    if (this.closed) {
      await upstream.closeSessionLink(link, shared)
      throw upstreamUnavailable(upstream)
    }
    if (upstream.capabilities?.logging && !link.isModern) {
      // A connection the session will not keep is not left open upstream.
      await this.sendLogLevel(link).catch(async (error) => {
        await upstream.closeSessionLink(link, shared)
        throw error
      })
    }
    return link
  }

  private async sendLogLevel(link: UpstreamLink): Promise<void> {
    if (this.logLevel === undefined) return
    await link.request('logging/setLevel', { level: this.logLevel }).catch((error) => {
      if (!isMethodNotFound(error)) throw error
    })
  }

  private linkOptions(upstream: Upstream): SessionLinkOptions {
    return {
      clientEra: 'legacy',
      credential: upstream.credentials.of(this.client.identity),
      capabilities: this.clientCapabilities(),
      idleAsk: (request, signal) => this.server.request(request as never, looseResult, { signal }),
      onNotification: (notification) => {
        upstream.identities.notified(this.client.identity, notification)
        this.notifications.relay(upstream.id, notification)
      },
    }
  }

  /** The client capabilities that shape what an upstream may ask, as the downstream client declared them. */
  private clientCapabilities(): ClientCapabilities {
    const { sampling, elicitation, roots } = this.server.getClientCapabilities() ?? {}
    return { ...(sampling && { sampling }), ...(elicitation && { elicitation }), ...(roots && { roots }) }
  }

  private async openLinks(): Promise<UpstreamLink[]> {
    const settled = await Promise.allSettled(this.links.values())
    return settled.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value] : []))
  }
}
