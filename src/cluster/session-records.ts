import type { UpstreamSessionRef } from '../upstream/link.ts'
import type { ClusterBus } from './cluster-bus.ts'

/** What a 2025-era session's client said when it opened the session: replayed where it is adopted. */
export interface SessionOpening {
  /** The virtual server the session is on; null for `/mcp` over every upstream. */
  server: string | null
  identity?: string
  /** The params of the client's `initialize` request, as sent. */
  initialize: Record<string, unknown>
}

export interface SessionRecord extends SessionOpening {
  /** The replica that runs the session's own stdio processes, which cannot move: it serves every request of the session. */
  owner?: string
  logLevel?: string
  /** Resource subscriptions, as `upstream id` → URIs. */
  subscriptions: Map<string, Set<string>>
  /** Upstreams (ids) the replicas speak to in one shared upstream session. */
  sharedUpstreams: string[]
}

const OPENING = 'opening'
const LEVEL = 'level'
const OWNER = 'owner'
const SUBSCRIPTION = 'sub:'
const UPSTREAM_SESSION = 'up:'

/**
 * Shared session state: one Redis hash per session (`proxmcp:session:<id>`), a field per fact, so
 * concurrent changes from different replicas never overwrite each other. It expires after the
 * idle timeout unless a request renews it.
 */
export class SessionRecords {
  constructor(
    private readonly bus: ClusterBus,
    private readonly ttlMs: number,
  ) {}

  create(id: string, opening: SessionOpening, owner?: string): Promise<void> {
    const fields = { [OPENING]: JSON.stringify(opening), ...(owner && { [OWNER]: owner }) }
    return this.bus.write(key(id), fields, this.ttlMs)
  }

  /**
   * Makes `replica` the owner in place of `gone`, unless another replica did first; resolves to
   * the owner after. Two replicas that find the owner gone at once cannot both take over.
   */
  claimOwner(id: string, gone: string, replica: string): Promise<string> {
    return this.bus.swap(key(id), OWNER, gone, replica)
  }

  async load(id: string): Promise<SessionRecord | undefined> {
    const fields = await this.bus.read(key(id))
    const opening = fields[OPENING]
    if (!opening) return undefined
    const subscriptions = new Map<string, Set<string>>()
    for (const [field, value] of Object.entries(fields)) {
      if (!field.startsWith(SUBSCRIPTION)) continue
      const upstream = field.slice(SUBSCRIPTION.length, field.indexOf('\n'))
      const uris = subscriptions.get(upstream) ?? new Set<string>()
      uris.add(value)
      subscriptions.set(upstream, uris)
    }
    const sharedUpstreams = Object.keys(fields)
      .filter((field) => field.startsWith(UPSTREAM_SESSION))
      .map((field) => field.slice(UPSTREAM_SESSION.length))
    return {
      ...(JSON.parse(opening) as SessionOpening),
      sharedUpstreams,
      ...(fields[LEVEL] && { logLevel: fields[LEVEL] }),
      ...(fields[OWNER] && { owner: fields[OWNER] }),
      subscriptions,
    }
  }

  setLogLevel(id: string, level: string): Promise<void> {
    return this.bus.write(key(id), { [LEVEL]: level }, this.ttlMs)
  }

  setSubscription(id: string, upstream: string, uri: string, subscribed: boolean): Promise<void> {
    const field = `${SUBSCRIPTION}${upstream}\n${uri}`
    if (!subscribed) return this.bus.remove(key(id), field)
    return this.bus.write(key(id), { [field]: uri }, this.ttlMs)
  }

  /** The upstream session recorded for the session on `upstream`, if one is. */
  async upstreamSession(id: string, upstream: string): Promise<UpstreamSessionRef | undefined> {
    const fields = await this.bus.read(key(id))
    return parsedRef(fields[`${UPSTREAM_SESSION}${upstream}`])
  }

  /**
   * Records `opened` as the session's upstream session on `upstream`, in place of `replacing` (or
   * of none); resolves to the one recorded after, another replica's if it recorded first.
   */
  async shareUpstreamSession(
    id: string,
    upstream: string,
    opened: UpstreamSessionRef,
    replacing?: UpstreamSessionRef,
  ): Promise<UpstreamSessionRef | undefined> {
    const expected = replacing ? JSON.stringify(replacing) : ''
    const after = await this.bus.swap(
      key(id),
      `${UPSTREAM_SESSION}${upstream}`,
      expected,
      JSON.stringify(opened),
    )
    return parsedRef(after)
  }

  renew(id: string): Promise<void> {
    return this.bus.expire(key(id), this.ttlMs)
  }

  end(id: string): Promise<void> {
    return this.bus.delete(key(id))
  }
}

function parsedRef(value: string | undefined): UpstreamSessionRef | undefined {
  if (!value) return undefined
  let ref: Partial<UpstreamSessionRef>
  try {
    ref = JSON.parse(value)
  } catch {
    return undefined
  }
  return typeof ref.id === 'string' && typeof ref.protocolVersion === 'string'
    ? { id: ref.id, protocolVersion: ref.protocolVersion }
    : undefined
}

function key(id: string): string {
  return `proxmcp:session:${id}`
}
