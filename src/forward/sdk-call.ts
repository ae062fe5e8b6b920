import type { ServerContext } from '@modelcontextprotocol/server'
import { contextOf } from '../plugins/context.ts'
import type { TraceContext } from '../tracing/tracing.ts'
import type { JsonObject } from '../upstream/link.ts'
import { namingMissingMethod } from '../upstream/method-not-found.ts'
import type { Upstream } from '../upstream/upstream.ts'
import { relayProgress } from './progress-relay.ts'
import type { CallScope } from './scope.ts'
import {
  envelopeOf,
  markUpstreamState,
  type Params,
  paramHeaders,
  withEnvelope,
  withRetryMaterial,
  withTraceContext,
} from './upstream-request.ts'

export type { Params }

/**
 * The SDK strategy for a call, read or get: progress comes back under the client's own token,
 * cancellation goes up, questions the upstream asks reach the client through the scope,
 * input_required rounds pass through.
 */
export async function sdkCall(
  scope: CallScope,
  upstream: Upstream,
  method: string,
  params: Params,
  ctx: ServerContext,
  trace?: TraceContext,
): Promise<JsonObject> {
  const requestState = ctx.mcpReq.requestState<string>()
  const resumed = scope.resumeCall(ctx, requestState)
  if (resumed) return resumed
  const progress = relayProgress(params._meta?.progressToken, ctx)
  const retry = withTraceContext(withRetryMaterial(params, requestState, ctx.mcpReq.inputResponses), trace)
  // The connection is held for the whole upstream call, which can outlive this round (input_required).
  const result = await scope.runCall(ctx, (ask, signal) =>
    scope.withLink(
      upstream,
      (link) => {
        const upstreamParams = link.isModern
          ? withEnvelope(retry, envelopeOf(ctx) ?? scope.envelope())
          : retry
        const mirrored =
          link.isModern && method === 'tools/call'
            ? paramHeaders(upstream, params, contextOf(ctx)?.identity)
            : undefined
        // Over HTTP the trace context also goes as headers; other transports ignore them.
        const headers = trace ? { ...mirrored, ...trace } : mirrored
        return link
          .request(method, upstreamParams, { signal, onprogress: progress?.onprogress, ask, headers })
          .then(markUpstreamState)
      },
      ctx,
    ),
  )
  // The result ends the response stream: every progress notification must be out before it.
  await progress?.sent()
  return result
}

const NO_COMPLETIONS = { completion: { values: [], hasMore: false } }

/**
 * The SDK strategy for `completion/complete`, sent as it is: an upstream that does not declare
 * completions gets nothing sent, and one that answers Method not found is named.
 */
export async function sdkComplete(
  scope: CallScope,
  upstream: Upstream,
  params: Params,
  ctx: ServerContext,
): Promise<JsonObject> {
  if (!upstream.capabilities?.completions) return NO_COMPLETIONS
  const method = 'completion/complete'
  return scope
    .withLink(upstream, (link) => link.request(method, params, { signal: ctx.mcpReq.signal }))
    .catch(namingMissingMethod(upstream.id, method))
}
