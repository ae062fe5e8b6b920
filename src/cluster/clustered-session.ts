import type { JSONRPCMessage } from '@modelcontextprotocol/server'
import { errorFields, errorResponse, proxyErrors } from '../errors.ts'
import type { UpstreamSessionRef } from '../upstream/link.ts'
import type { Upstream } from '../upstream/upstream.ts'
import { callStreamEventId, requestIdsOf } from './call-streams.ts'
import type { ClusterNode, LocalSession, SessionMessage } from './cluster-node.ts'
import type { ClusterTransport } from './cluster-transport.ts'
import { UpstreamStreams } from './upstream-streams.ts'

/** Where the session is shared with other replicas (cluster mode): what they must hear of. */
export interface SessionSharing {
  /** Starts the ids of requests to the client, naming this replica. */
  readonly requestIdPrefix: string
  /** The first event id of a call's stream, naming the call, so a lost stream can be answered anywhere. */
  primingEventId(clientId: string | number): string
  logLevelSet(level: string): Promise<void>
  /** Records a (un)subscription; the copy holding the client's GET stream follows it upstream. */
  subscriptionSet(upstream: Upstream, uri: string, subscribed: boolean): Promise<void>
  /** Whether the session's record is still there (true when Redis cannot say). */
  lives(): Promise<boolean>
  /** The upstream session another replica opened for this session on `upstream`, to resume. */
  upstreamSession(upstream: Upstream): Promise<UpstreamSessionRef | undefined>
  /**
   * Records an upstream session this replica opened (in place of `replacing`, one found gone);
   * resolves to the one recorded after, another replica's if it was first.
   */
  shareUpstreamSession(
    upstream: Upstream,
    opened: UpstreamSessionRef,
    replacing?: UpstreamSessionRef,
  ): Promise<UpstreamSessionRef | undefined>
}

/** A replica's own copy of a session, as the cluster uses it. */
export interface SharableSession {
  sharing: SessionSharing | undefined
  applyLogLevel(level: string): Promise<void>
  /** (Un)subscribes on this copy's connection to the upstream. */
  follow(upstream: Upstream, uri: string, subscribed: boolean): Promise<void>
  /** Whether this copy speaks to the upstream in a session the replicas share. */
  sharesUpstreamSession(upstream: Upstream): boolean
  /** Opens the GET stream of the upstream session; false when the upstream refuses it (one is held). */
  openUpstreamStream(upstream: Upstream): Promise<boolean>
  readonly isClosed: boolean
  upstreamById(id: string): Upstream | undefined
  close(endedByClient?: boolean): Promise<void>
}

type Message = { id?: unknown; method?: unknown }

const ACCEPTED = () => new Response(null, { status: 202 })

/**
 * One replica's copy of a session the cluster shares: it tells the other copies what they must
 * follow (log level, subscriptions, the client's notifications), hands on answers that belong to
 * another replica's requests, and, while the client's GET stream is here, follows the session's
 * resource subscriptions upstream and sends what the others have for the client.
 */
export class ClusteredSession implements LocalSession, SessionSharing {
  /** Subscriptions this copy follows upstream, as `upstream id\nuri`. */
  private readonly followed = new Set<string>()
  private renewedAt = Date.now()
  private readonly upstreamStreams = new UpstreamStreams(() => this.holdUpstreamStreams())
  /** Whether the client's GET stream opened here and has not closed. */
  private streamHere = false
  private following: Promise<void> | undefined
  private followAgain = false
  constructor(
    readonly id: string,
    private readonly node: ClusterNode,
    private readonly session: SharableSession,
    private readonly transport: ClusterTransport,
    /** Serves a message here as if the client had posted it here. */
    private readonly serveHere: (body: unknown) => void,
    private readonly ttlMs: number,
  ) {
    session.sharing = this
  }

  get requestIdPrefix(): string {
    return this.node.idPrefix()
  }

  /**
   * A client POST for this session: answers to another replica's requests go there (202 here);
   * notifications reach every replica. Undefined leaves the POST to be served here.
   */
  async route(body: unknown): Promise<Response | undefined> {
    const messages = (Array.isArray(body) ? body : [body]) as Message[]
    if (messages.every((message) => message?.method === undefined && this.elsewhere(message?.id))) {
      try {
        for (const message of messages) {
          await this.node.forward(this.node.replicaOf(message.id) as string, this.id, message)
        }
      } catch (error) {
        return errorResponse(proxyErrors.clusterUnavailable((error as Error).message))
      }
      return ACCEPTED()
    }
    if (messages.every((message) => typeof message?.method === 'string' && message.id === undefined)) {
      // Without Redis the other replicas miss it, but this one still serves it.
      await this.node.tell(this.id, { kind: 'client', body }).catch(() => {})
    }
    return undefined
  }

  primingEventId(clientId: string | number): string {
    return callStreamEventId(this.requestIdPrefix, [clientId])
  }

  /**
   * A client reconnecting (GET with Last-Event-ID) to a call stream that was cut, most likely
   * because the replica serving it died: the stream cannot be resumed, so its calls are cancelled
   * wherever they may still run and the client gets an error for each instead of waiting forever.
   */
  answerLostStream(lastEventId: string | null): Response | undefined {
    const replica = this.node.replicaOf(lastEventId)
    const ids = replica && requestIdsOf((lastEventId as string).slice(this.requestIdPrefix.length))
    if (!ids) return undefined
    let events = ''
    for (const id of ids) {
      const cancel = { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: id } }
      this.serveHere(cancel)
      void this.node.tell(this.id, { kind: 'client', body: cancel }).catch(() => {})
      const answer = { jsonrpc: '2.0', id, error: errorFields(proxyErrors.callStreamLost()) }
      events += `event: message\ndata: ${JSON.stringify(answer)}\n\n`
    }
    return new Response(events, {
      headers: { 'content-type': 'text/event-stream', 'mcp-session-id': this.id },
    })
  }

  replay(body: unknown): void {
    this.serveHere(body)
  }

  hear(message: SessionMessage): void {
    if (message.kind === 'client') this.serveHere(message.body)
    else if (message.kind === 'deliver') this.transport.deliver(message.message as JSONRPCMessage)
    else if (message.kind === 'level') void this.session.applyLogLevel(message.level).catch(() => {})
    else if (message.kind === 'subscriptions') void this.followRecorded()
    else {
      this.upstreamStreams.stop()
      // The client ended the session (on another replica): every copy ends the upstream sessions it speaks in.
      void this.session.close(true)
    }
  }

  /** A request for the session arrived here: its record lives on (renewed at most every tenth of its life). */
  renew(): void {
    const now = Date.now()
    if (now - this.renewedAt < this.ttlMs / 10) return
    this.renewedAt = now
    void this.node.records.renew(this.id).catch(() => {})
  }

  async logLevelSet(level: string): Promise<void> {
    await this.node.records.setLogLevel(this.id, level)
    await this.node.tell(this.id, { kind: 'level', level })
  }

  lives(): Promise<boolean> {
    return this.node.records.load(this.id).then(
      (record) => record !== undefined,
      () => true,
    )
  }

  upstreamSession(upstream: Upstream): Promise<UpstreamSessionRef | undefined> {
    return this.node.records.upstreamSession(this.id, upstream.id)
  }

  shareUpstreamSession(
    upstream: Upstream,
    opened: UpstreamSessionRef,
    replacing?: UpstreamSessionRef,
  ): Promise<UpstreamSessionRef | undefined> {
    return this.node.records.shareUpstreamSession(this.id, upstream.id, opened, replacing)
  }

  async subscriptionSet(upstream: Upstream, uri: string, subscribed: boolean): Promise<void> {
    await this.node.records.setSubscription(this.id, upstream.id, uri, subscribed)
    // The copy holding the client's GET stream follows the record, this one included.
    if (this.streamHere) await this.followRecorded()
    else await this.node.tell(this.id, { kind: 'subscriptions' })
  }

  /**
   * The client's GET stream opened here: this copy follows the session's subscriptions, and tries
   * to hold the GET streams of its shared upstream sessions, until it closes.
   */
  streamOpened(closed: AbortSignal): void {
    this.streamHere = true
    void this.followRecorded()
    this.upstreamStreams.start()
    closed.addEventListener(
      'abort',
      () => {
        this.streamHere = false
        this.upstreamStreams.stop()
        void this.followRecorded()
      },
      { once: true },
    )
  }

  /** The client ended the session: every copy closes, and its record goes. */
  async end(): Promise<void> {
    await Promise.allSettled([this.node.tell(this.id, { kind: 'closed' }), this.node.records.end(this.id)])
  }

  /** Resolves to whether this copy now holds the GET stream of every shared upstream session. */
  private async holdUpstreamStreams(): Promise<boolean> {
    if (this.session.isClosed) return true
    const record = await this.node.records.load(this.id)
    let all = true
    for (const upstreamId of record?.sharedUpstreams ?? []) {
      const upstream = this.session.upstreamById(upstreamId)
      if (upstream && !(await this.session.openUpstreamStream(upstream))) all = false
    }
    return all
  }

  private elsewhere(id: unknown): boolean {
    const replica = this.node.replicaOf(id)
    return replica !== undefined && replica !== this.node.tag
  }

  /**
   * Brings what this copy follows upstream in line with the record (nothing while the client's
   * GET stream is elsewhere). One pass at a time: a change during a pass runs another after it.
   */
  private followRecorded(): Promise<void> {
    if (this.following) {
      this.followAgain = true
      return this.following
    }
    this.following = (async () => {
      do {
        this.followAgain = false
        await this.syncFollowed()
      } while (this.followAgain)
    })().finally(() => {
      this.following = undefined
    })
    return this.following
  }

  private async syncFollowed(): Promise<void> {
    const here = this.streamHere && this.transport.holdsStream()
    // Neither following nor to follow: no need to read the record.
    if (!here && this.followed.size === 0) return
    const record = await this.node.records.load(this.id).catch(() => undefined)
    if (!record) return
    const recorded = new Set<string>()
    for (const [upstream, uris] of record.subscriptions)
      for (const uri of uris) recorded.add(`${upstream}\n${uri}`)
    const wanted = here ? recorded : new Set<string>()
    for (const key of wanted) if (!this.followed.has(key)) await this.followKey(key, true)
    for (const key of [...this.followed])
      if (!wanted.has(key)) await this.followKey(key, false, recorded.has(key))
  }

  /** `stillRecorded`: the client's GET stream moved, the subscription did not end. */
  private async followKey(key: string, subscribed: boolean, stillRecorded = false): Promise<void> {
    const [upstreamId, uri] = splitKey(key)
    const upstream = this.session.upstreamById(upstreamId)
    if (subscribed) this.followed.add(key)
    else this.followed.delete(key)
    // In an upstream session the replicas share, the copy now holding the stream follows it already.
    if (!upstream || (stillRecorded && this.session.sharesUpstreamSession(upstream))) return
    await this.session.follow(upstream, uri, subscribed).catch(() => {})
  }
}

function splitKey(key: string): [string, string] {
  const newline = key.indexOf('\n')
  return [key.slice(0, newline), key.slice(newline + 1)]
}
