import type { ServerContext } from '@modelcontextprotocol/server'
import { contextOf } from '../plugins/context.ts'
import type { JsonObject } from '../upstream/link.ts'
import type { Upstream } from '../upstream/upstream.ts'
import { relayProgress } from './progress-relay.ts'
import type { DownstreamScope, ProxyCore } from './scope.ts'
import {
  envelopeOf,
  markUpstreamState,
  type Params,
  paramHeaders,
  withEnvelope,
  withRetryMaterial,
} from './upstream-request.ts'

export type { Params }

/**
 * Forwards a call, read or get: progress comes back under the client's own token, cancellation
 * goes up, questions the upstream asks reach the client, input_required rounds pass through.
 */
export async function forwardCall(
  core: ProxyCore,
  scope: DownstreamScope,
  upstream: Upstream,
  method: string,
  params: Params,
  ctx: ServerContext,
): Promise<JsonObject> {
  const pluginContext = contextOf(ctx)
  if (pluginContext) pluginContext.upstream = upstream.id
  const requestState = ctx.mcpReq.requestState<string>()
  const ended = core.metrics.startCall(upstream.id, method)
  try {
    const resumed = scope.resumeCall?.(ctx, requestState)
    if (resumed) return await resumed
    const progress = relayProgress(params._meta?.progressToken, ctx)
    const retry = withRetryMaterial(params, requestState, ctx.mcpReq.inputResponses)
    // The connection is held for the whole upstream call, which can outlive this round (input_required).
    const result = await scope.runCall(ctx, (ask, signal) =>
      scope.withLink(
        upstream,
        (link) => {
          const upstreamParams = link.isModern
            ? withEnvelope(retry, envelopeOf(ctx) ?? scope.envelope?.())
            : retry
          const headers =
            link.isModern && method === 'tools/call' ? paramHeaders(upstream, params) : undefined
          return link
            .request(method, upstreamParams, { signal, onprogress: progress?.onprogress, ask, headers })
            .then(markUpstreamState)
        },
        ctx,
      ),
    )
    // The result ends the response stream: every progress notification must be out before it.
    await progress?.sent()
    ended('ok')
    return result
  } catch (error) {
    ended('error')
    if (pluginContext) await core.plugins.onError(pluginContext, error)
    throw error
  }
}
