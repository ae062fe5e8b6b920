import type { ServerContext } from '@modelcontextprotocol/server'
import type { JsonObject, UpstreamLink } from '../upstream/link.ts'
import type { SessionLinkOptions, Upstream } from '../upstream/upstream.ts'
import { callSignal } from './call-signal.ts'
import type { DownstreamScope } from './scope.ts'
import type { SuspendableCall, Suspensions } from './suspensions.ts'
import { upstreamUnavailable } from './unavailable.ts'

/** A connection opened for one sessionless request: nothing outside the call to relay. */
const REQUEST_LINK: SessionLinkOptions = {
  capabilities: { sampling: {}, elicitation: { form: {}, url: {} } },
  idleAsk: async () => {
    throw new Error('no call is in progress')
  },
  onNotification: () => {},
}

/**
 * The scope of 2026-07-28 requests: no session, so they use each upstream's shared connection, and
 * a question a 2025-era upstream pushes mid-call becomes an input_required round for the client.
 */
export class SharedScope implements DownstreamScope {
  constructor(private readonly suspensions: Suspensions) {}

  async withLink<T>(upstream: Upstream, use: (link: UpstreamLink) => Promise<T>): Promise<T> {
    if (upstream.perRequest) return upstream.withRequestLink(REQUEST_LINK, use)
    const link = upstream.sharedLink()
    if (!link) throw upstreamUnavailable(upstream)
    return use(link)
  }

  runCall(ctx: ServerContext, call: SuspendableCall): Promise<JsonObject> {
    return this.suspensions.start(call, callSignal(ctx))
  }

  resumeCall(ctx: ServerContext, requestState: string): Promise<JsonObject> {
    return this.suspensions.resume(requestState, ctx.mcpReq.inputResponses, callSignal(ctx))
  }
}
