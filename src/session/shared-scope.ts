import type { ServerContext } from '@modelcontextprotocol/server'
import type { AskDownstream, JsonObject, UpstreamLink } from '../upstream/link.ts'
import type { Upstream } from '../upstream/upstream.ts'
import type { DownstreamScope } from './scope.ts'
import type { Suspensions } from './suspensions.ts'
import { upstreamUnavailable } from './unavailable.ts'

/**
 * The scope of 2026-07-28 requests: no session, so they use each upstream's shared connection, and
 * a question a 2025-era upstream pushes mid-call becomes an input_required round for the client.
 */
export class SharedScope implements DownstreamScope {
  constructor(private readonly suspensions: Suspensions) {}

  async link(upstream: Upstream): Promise<UpstreamLink> {
    const link = upstream.sharedLink()
    if (!link) throw upstreamUnavailable(upstream)
    return link
  }

  runCall(_ctx: ServerContext, call: (ask: AskDownstream) => Promise<JsonObject>): Promise<JsonObject> {
    return this.suspensions.start(call)
  }

  resumeCall(requestState: string, responses: Record<string, unknown> | undefined): Promise<JsonObject> {
    return this.suspensions.resume(requestState, responses)
  }
}
