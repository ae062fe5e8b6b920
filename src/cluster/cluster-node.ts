import type { ClusterBus, ConnectClusterBus } from './cluster-bus.ts'
import { type ExchangeMessage, ReplicaRequests, type ServeHere } from './replica-requests.ts'
import { SessionIds } from './session-ids.ts'
import { SessionRecords } from './session-records.ts'

export interface ClusterOptions {
  /** `redis://[[user][:password]@]host[:port][/db]` (or `rediss://` for TLS). */
  redis: string
  /** Signs the session ids the cluster issues; every replica needs the same one. */
  secret: string
}

/** What one replica tells the others about a session they all may hold. */
export type SessionMessage =
  /** Client notifications (cancellations, roots changes): each replica's calls and upstreams hear them. */
  | { kind: 'client'; body: unknown }
  /** A message for the client outside any call: the replica holding its GET stream sends it. */
  | { kind: 'deliver'; message: unknown }
  | { kind: 'level'; level: string }
  /** The session's subscriptions changed: the replica holding its GET stream follows them upstream. */
  | { kind: 'subscriptions' }
  /** The client ended the session. */
  | { kind: 'closed' }

/** A session this replica holds, as the cluster reaches it. */
export interface LocalSession {
  /** Messages from the client's POSTs that landed on another replica: answers to this replica's requests. */
  replay(body: unknown): void
  hear(message: SessionMessage): void
}

type Envelope = SessionMessage & { from: string }
type ReplicaMessage = ExchangeMessage | { kind: 'answer'; session: string; body: unknown }

const ID_MARK = /^proxmcp-([a-z0-9]{10})-/

/**
 * This replica's place in the cluster: its tag (in every request id it sends a client, so the
 * answer finds its way back), the sessions it holds and their channel on Redis
 * (`proxmcp:session:<id>`), and its own channel for answers (`proxmcp:replica:<tag>`).
 */
export class ClusterNode {
  readonly tag = crypto.randomUUID().replaceAll('-', '').slice(0, 10)
  readonly records: SessionRecords
  readonly ids: SessionIds
  private readonly local = new Map<string, LocalSession>()
  /** Requests this replica passes to the replica that holds what they need, and serves for others. */
  readonly exchanges: ReplicaRequests
  private handler: ServeHere | undefined

  private constructor(
    private readonly bus: ClusterBus,
    options: ClusterOptions & { ttlMs: number },
  ) {
    this.records = new SessionRecords(bus, options.ttlMs)
    this.ids = new SessionIds(options.secret)
    this.exchanges = new ReplicaRequests(
      this.tag,
      (replica, message) => this.bus.publish(replicaChannel(replica), JSON.stringify(message)),
      () => this.handler,
    )
  }

  static async start(
    options: ClusterOptions & { ttlMs: number },
    connect: ConnectClusterBus,
  ): Promise<ClusterNode> {
    const node = new ClusterNode(await connect(options.redis), options)
    await node.bus.listen(replicaChannel(node.tag), (raw) => {
      const message = parsed<ReplicaMessage>(raw)
      if (message?.kind === 'answer') node.local.get(message.session)?.replay(message.body)
      else if (message) node.exchanges.receive(message)
    })
    return node
  }

  /** A prefix for request ids: answers carrying it are routed back to this replica. */
  idPrefix(): string {
    return `proxmcp-${this.tag}-`
  }

  /** The replica that sent the request a client's answer answers; undefined for ids not the cluster's. */
  replicaOf(id: unknown): string | undefined {
    return typeof id === 'string' ? ID_MARK.exec(id)?.[1] : undefined
  }

  async join(sessionId: string, session: LocalSession): Promise<void> {
    this.local.set(sessionId, session)
    await this.bus.listen(sessionChannel(sessionId), (raw) => {
      const envelope = parsed<Envelope>(raw)
      if (envelope && envelope.from !== this.tag) this.local.get(sessionId)?.hear(envelope)
    })
  }

  leave(sessionId: string): void {
    this.local.delete(sessionId)
    void this.bus.unlisten(sessionChannel(sessionId))
  }

  async tell(sessionId: string, message: SessionMessage): Promise<void> {
    await this.bus.publish(sessionChannel(sessionId), JSON.stringify({ ...message, from: this.tag }))
  }

  /** Hands a client's answer to the replica whose request it answers; false when no replica heard it. */
  async forward(replica: string, sessionId: string, body: unknown): Promise<boolean> {
    const message: ReplicaMessage = { kind: 'answer', session: sessionId, body }
    const heard = await this.bus.publish(replicaChannel(replica), JSON.stringify(message))
    return heard > 0
  }

  /** Another live replica (one listening on its channel), picked at random; undefined when this one is alone. */
  async anotherReplica(): Promise<string | undefined> {
    const others = (await this.bus.channels(replicaChannel('*')))
      .map((channel) => channel.slice(replicaChannel('').length))
      .filter((tag) => tag !== this.tag)
    return others[Math.floor(Math.random() * others.length)]
  }

  /** How requests passed to this replica are served: the proxy's app, plugins included. */
  serveWith(handler: ServeHere): void {
    this.handler = handler
  }

  close(): Promise<void> {
    this.exchanges.close()
    this.local.clear()
    return this.bus.close()
  }
}

/** A message off a channel; one that is not JSON (nothing of ours) is ignored rather than thrown into the Redis client. */
function parsed<T>(raw: string): T | undefined {
  try {
    const message = JSON.parse(raw) as T | null
    return typeof message === 'object' && message !== null ? message : undefined
  } catch {
    return undefined
  }
}

function sessionChannel(id: string): string {
  return `proxmcp:session:${id}`
}

function replicaChannel(tag: string): string {
  return `proxmcp:replica:${tag}`
}
