import { BoundedMap } from '../bounded-map.ts'
import { errorResponse, proxyErrors } from '../errors.ts'
import type { ClusterNode } from './cluster-node.ts'
import { pausedCallReplica } from './paused-calls.ts'

/**
 * Which replica must serve a request, in cluster mode: the one holding the paused call a
 * 2026-07-28 retry continues, or the one running a session's own stdio processes (its owner).
 * Such requests are passed there whole, before any plugin runs, so plugins run once, where the
 * request is served.
 */
export class OwnerRouting {
  /** Owners of sessions this replica does not hold (undefined: any replica may serve it). */
  private readonly owners = new BoundedMap<string, string | undefined>(10_000)

  constructor(private readonly node: () => Promise<ClusterNode | undefined>) {}

  /**
   * The other replica's answer; undefined when this replica serves the request (a session whose
   * owner is gone is taken over here). A 503 when Redis is needed and cannot be reached.
   */
  async elsewhere(
    request: Request,
    body: unknown,
    clientAddress: string | undefined,
    holds: (sessionId: string) => boolean,
  ): Promise<Response | undefined> {
    const sessionId = request.headers.get('mcp-session-id')
    const paused = sessionId ? undefined : pausedCallReplica(requestStateOf(body))
    if (sessionId ? holds(sessionId) : !paused) return undefined
    const node = await this.node()
    if (!node) return errorResponse(proxyErrors.clusterUnavailable('not connected yet'))
    try {
      // A paused call whose replica is gone is answered where it landed, with an error that says so.
      if (paused)
        return paused === node.tag
          ? undefined
          : await node.exchanges.forward(paused, request, body, clientAddress)
      return await this.toOwner(node, sessionId as string, request, body, clientAddress)
    } catch (error) {
      return errorResponse(proxyErrors.clusterUnavailable((error as Error).message))
    }
  }

  /**
   * While this replica drains: a request that would start work here is passed to another live
   * replica instead of refused, unless it belongs to a session whose processes run here.
   */
  async whileDraining(
    request: Request,
    body: unknown,
    clientAddress: string | undefined,
    pinnedHere: (sessionId: string) => boolean,
  ): Promise<Response | undefined> {
    const sessionId = request.headers.get('mcp-session-id')
    const node = await this.node()
    if (!node || (sessionId && pinnedHere(sessionId))) return undefined
    try {
      const other = await node.anotherReplica()
      return other ? await node.exchanges.forward(other, request, body, clientAddress) : undefined
    } catch {
      return undefined
    }
  }

  private async toOwner(
    node: ClusterNode,
    sessionId: string,
    request: Request,
    body: unknown,
    clientAddress: string | undefined,
  ): Promise<Response | undefined> {
    let owner = await this.ownerOf(node, sessionId, false)
    for (let attempt = 0; attempt < 2 && owner && owner !== node.tag; attempt++) {
      const answer = await node.exchanges.forward(owner, request, body, clientAddress)
      if (answer) return answer
      // Not listening: gone, unless another replica has taken the session over meanwhile.
      if (attempt === 0) owner = await this.ownerOf(node, sessionId, true)
    }
    if (!owner || owner === node.tag) return undefined
    // The owner is gone: this replica runs the session's processes from now on, unless another got there first.
    const winner = await node.records.claimOwner(sessionId, owner, node.tag)
    this.owners.set(sessionId, winner)
    if (winner === node.tag) return undefined
    return (
      (await node.exchanges.forward(winner, request, body, clientAddress)) ??
      errorResponse(proxyErrors.replicaSilent())
    )
  }

  private async ownerOf(node: ClusterNode, id: string, fresh: boolean): Promise<string | undefined> {
    if (!fresh && this.owners.has(id)) return this.owners.get(id)
    if (!(await node.ids.isOurs(id))) return undefined
    const owner = (await node.records.load(id))?.owner
    this.owners.set(id, owner)
    return owner
  }
}

function requestStateOf(body: unknown): unknown {
  return (body as { params?: { requestState?: unknown } } | undefined)?.params?.requestState
}
