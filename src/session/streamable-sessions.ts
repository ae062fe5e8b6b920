import {
  type HandleRequestOptions,
  WebStandardStreamableHTTPServerTransport,
} from '@modelcontextprotocol/server'
import { callStreamEvents } from '../cluster/call-streams.ts'
import type { ClusterNode } from '../cluster/cluster-node.ts'
import { ClusterTransport } from '../cluster/cluster-transport.ts'
import { ClusteredSession } from '../cluster/clustered-session.ts'
import { OwnerRouting } from '../cluster/owner-routing.ts'
import type { SessionOpening } from '../cluster/session-records.ts'
import { adoptionRequests, replayed } from '../cluster/session-replay.ts'
import { errorResponse, proxyErrors } from '../errors.ts'
import type { ProxyCore } from '../forward/scope.ts'
import { contextOfAuth } from '../plugins/context.ts'
import type { SessionGate } from './session-registry.ts'
import { type SessionClient, StatefulSession } from './stateful-session.ts'

const SESSION_NOT_FOUND = () => errorResponse(proxyErrors.sessionNotFound('initialize a new session'))

interface Entry {
  transport: WebStandardStreamableHTTPServerTransport
  session: StatefulSession
  /** In cluster mode: the transport its SDK server sees, and its place in the cluster. */
  clusterTransport?: ClusterTransport
  shared?: ClusteredSession
  /** Its own stdio processes run here (cluster mode): only this replica serves it. */
  pinned?: boolean
}

/** Where an endpoint's sessions are shared with other replicas. */
export interface EndpointCluster {
  /** This replica's node; undefined while Redis cannot be reached. */
  node: () => ClusterNode | undefined
  /** The node, waiting for it a little while it joins. */
  nodeSoon: () => Promise<ClusterNode | undefined>
  /** The endpoint's virtual server; null for `/mcp` over every upstream. */
  server: string | null
  sessionTtlMs: number
}

/**
 * Routes 2025-era Streamable HTTP requests to their session by `Mcp-Session-Id`. In cluster mode
 * a session opened on another replica is adopted here on its first request: rebuilt from its
 * record in Redis, with the client's `initialize` replayed.
 */
export class StreamableSessions {
  private readonly entries = new Map<string, Entry>()
  private readonly adopting = new Map<string, Promise<Entry | Response | undefined>>()
  private readonly routing: OwnerRouting | undefined

  constructor(
    private readonly core: ProxyCore,
    private readonly registry: SessionGate,
    private readonly cluster?: EndpointCluster,
  ) {
    this.routing = cluster && new OwnerRouting(cluster.nodeSoon)
  }

  /** Whether the request names a session open here (which client it belongs to is checked by `handle`). */
  holds(request: Request): boolean {
    const sessionId = request.headers.get('mcp-session-id')
    return sessionId !== null && this.entries.has(sessionId)
  }

  async handle(request: Request, options: HandleRequestOptions, client: SessionClient): Promise<Response> {
    const sessionId = request.headers.get('mcp-session-id')
    if (sessionId) {
      const found = this.entries.get(sessionId) ?? (await this.adopt(sessionId, client).catch(clusterDown))
      if (found instanceof Response) return found
      // Another identity's session is as unknown as one that never existed.
      if (!found?.session.belongsTo(client.identity)) return SESSION_NOT_FOUND()
      return this.serve(found, request, options)
    }
    if (request.method !== 'POST' || !opensSession(options.parsedBody)) {
      return errorResponse(proxyErrors.sessionIdRequired())
    }
    return this.registry.admit(client) ?? this.open(request, options, client)
  }

  /**
   * In cluster mode, the answer of the replica that must serve this request (see OwnerRouting);
   * undefined when this replica serves it.
   */
  servedElsewhere(
    request: Request,
    body: unknown,
    clientAddress?: string,
  ): Promise<Response | undefined> | undefined {
    return this.routing?.elsewhere(request, body, clientAddress, (id) => this.entries.has(id))
  }

  /** In cluster mode, while this replica drains: another replica's answer to a request that would start work here. */
  passedWhileDraining(
    request: Request,
    body: unknown,
    clientAddress?: string,
  ): Promise<Response | undefined> | undefined {
    return this.routing?.whileDraining(
      request,
      body,
      clientAddress,
      (id) => this.entries.get(id)?.pinned === true,
    )
  }

  private async serve(entry: Entry, request: Request, options: HandleRequestOptions): Promise<Response> {
    const { session, shared, transport } = entry
    session.touch()
    shared?.renew()
    if (request.method === 'POST') {
      const routed = await shared?.route(options.parsedBody)
      if (routed) return routed
      const direct = await session.direct.serve(request, options.parsedBody, contextOfAuth(options.authInfo))
      if (direct) return direct
    }
    const lost = request.method === 'GET' && shared?.answerLostStream(request.headers.get('last-event-id'))
    if (lost) return lost
    // Ended while the request waited (a DELETE, maybe on another replica): its transport closes
    // only once its upstream connections have, and would take the request and never answer it.
    if (session.isClosed) return SESSION_NOT_FOUND()
    const response = await transport.handleRequest(request, options)
    if (shared && request.method === 'GET' && response.ok) shared.streamOpened(request.signal)
    return response
  }

  private async open(request: Request, options: HandleRequestOptions, client: SessionClient) {
    const node = await this.cluster?.nodeSoon()
    if (this.cluster && !node) return clusterDown(new Error('not connected yet'))
    const id = node ? await node.ids.issue() : crypto.randomUUID()
    const entry = await this.create(id, client, node)
    this.entries.set(id, entry)
    const response = await entry.transport.handleRequest(request, options)
    // A session whose id the client was not given (a refused or id-less initialize) is unreachable.
    if (!entry.transport.sessionId || !response.headers.has('mcp-session-id')) {
      await entry.session.close()
      return response
    }
    if (!this.cluster) return response
    try {
      const pinned = this.core.upstreams.some((upstream) => upstream.processPerSession)
      entry.pinned = pinned
      await this.share(entry, openingOf(this.cluster.server, client, options.parsedBody), pinned)
    } catch (error) {
      // A session the other replicas cannot find is not handed out.
      await entry.session.close()
      return clusterDown(error)
    }
    return response
  }

  private create(id: string, client: SessionClient, node?: ClusterNode): Promise<Entry> {
    let session: StatefulSession | undefined
    const transport: WebStandardStreamableHTTPServerTransport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: () => id,
      ...(node && {
        eventStore: callStreamEvents(
          () => node.idPrefix(),
          () => transport,
        ),
      }),
      onsessionclosed: () => {
        void entry.shared?.end()
        void session?.close(true)
      },
    })
    const clusterTransport = node && new ClusterTransport(transport, node)
    session = new StatefulSession(this.core, clusterTransport ?? transport, client, this.registry, () => {
      this.entries.delete(id)
      if (entry.shared) node?.leave(id)
    })
    const entry: Entry = { transport, session, ...(clusterTransport && { clusterTransport }) }
    return session.start().then(() => entry)
  }

  /** Joins the session's channel (before the client can reach another replica) and, when new, records it. */
  private async share(entry: Entry, opening?: SessionOpening, pinned = false): Promise<void> {
    const { sessionTtlMs } = this.cluster as EndpointCluster
    const node = this.cluster?.node() as ClusterNode
    const id = entry.transport.sessionId as string
    const shared = new ClusteredSession(
      id,
      node,
      entry.session,
      entry.clusterTransport as ClusterTransport,
      (body) => void this.serveHere(entry, body),
      sessionTtlMs,
    )
    entry.shared = shared
    await node.join(id, shared)
    if (opening) await node.records.create(id, opening, pinned ? node.tag : undefined)
  }

  private adopt(id: string, client: SessionClient): Promise<Entry | Response | undefined> {
    if (!this.cluster) return Promise.resolve(undefined)
    let adopting = this.adopting.get(id)
    if (!adopting) {
      adopting = this.rebuild(id, client).finally(() => this.adopting.delete(id))
      this.adopting.set(id, adopting)
    }
    return adopting
  }

  /** A session another replica opened: rebuilt here from its record, as its client opened it. */
  private async rebuild(id: string, client: SessionClient): Promise<Entry | Response | undefined> {
    const { server } = this.cluster as EndpointCluster
    const node = await this.cluster?.nodeSoon()
    if (!node) return clusterDown(new Error('not connected yet'))
    if (!(await node.ids.isOurs(id))) return undefined
    const record = await node.records.load(id)
    if (!record || record.server !== server || record.identity !== client.identity) return undefined
    const refusal = this.registry.admit(client)
    if (refusal) return refusal
    const entry = await this.create(id, client, node)
    entry.pinned = record.owner !== undefined
    try {
      for (const { request, body } of adoptionRequests(id, record.initialize)) {
        await (await entry.transport.handleRequest(request, { parsedBody: body })).body?.cancel()
      }
      if (!entry.transport.sessionId) throw new Error('the replayed initialize was refused')
      // Shared first: the log level goes upstream in the session's shared upstream sessions.
      await this.share(entry)
      if (record.logLevel !== undefined) await entry.session.applyLogLevel(record.logLevel).catch(() => {})
    } catch (error) {
      await entry.session.close()
      throw error
    }
    // A DELETE served elsewhere meanwhile told a channel this copy had not joined yet.
    if (!(await entry.shared?.lives())) {
      await entry.session.close()
      return undefined
    }
    // Requests see the session only once it is wired into the cluster.
    this.entries.set(id, entry)
    return entry
  }

  /** A message the client posted to another replica, served here; its answer went out there. */
  private async serveHere({ session, transport }: Entry, body: unknown): Promise<void> {
    const { request } = replayed(body, transport.sessionId)
    const direct = await session.direct.serve(request, body, undefined).catch(() => undefined)
    if (direct) return
    const answer = await transport.handleRequest(request, { parsedBody: body }).catch(() => undefined)
    await answer?.body?.cancel()
  }
}

function clusterDown(error: unknown): Response {
  return errorResponse(proxyErrors.clusterUnavailable((error as Error).message))
}

/** An initialize *request*: one without an id is a notification, which opens nothing. */
export function opensSession(body: unknown): boolean {
  return initializeOf(body) !== undefined
}

function initializeOf(body: unknown): { params?: Record<string, unknown> } | undefined {
  const messages = Array.isArray(body) ? body : [body]
  return messages.find((message) => {
    const { method, id } = (message ?? {}) as { method?: unknown; id?: unknown }
    return method === 'initialize' && (typeof id === 'string' || typeof id === 'number')
  })
}

function openingOf(server: string | null, client: SessionClient, body: unknown): SessionOpening {
  return {
    server,
    ...(client.identity !== undefined && { identity: client.identity }),
    initialize: initializeOf(body)?.params ?? {},
  }
}
