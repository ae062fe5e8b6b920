import {
  CLIENT_CAPABILITIES_META_KEY,
  LOG_LEVEL_META_KEY,
  type ServerContext,
} from '@modelcontextprotocol/server'
import { contextOf } from '../plugins/context.ts'
import type { JsonObject } from '../upstream/link.ts'
import { mcpParamHeaders } from '../upstream/mcp-param-headers.ts'
import type { Upstream } from '../upstream/upstream.ts'
import { RelayBudget } from './relay-budget.ts'
import type { DownstreamScope, ProxyCore } from './scope.ts'
import { Suspensions } from './suspensions.ts'

export type Params = JsonObject & { _meta?: JsonObject }

/** Marks a passed-through upstream `requestState`, so a retry is told apart from one of our own. */
const UPSTREAM_STATE = 'u:'

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
    if (scope.resumeCall && Suspensions.owns(requestState))
      return await scope.resumeCall(ctx, requestState as string)
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

/**
 * The client's own capabilities and log level, from its request's envelope: a 2026-07-28 upstream
 * decides what it may ask (and whether to log) by them, not by what the proxy's connection declared.
 */
function envelopeOf(ctx: ServerContext): JsonObject | undefined {
  const envelope = ctx.mcpReq.envelope as JsonObject | undefined
  const capabilities = envelope?.[CLIENT_CAPABILITIES_META_KEY]
  if (capabilities === undefined) return undefined
  const logLevel = envelope?.[LOG_LEVEL_META_KEY]
  return {
    [CLIENT_CAPABILITIES_META_KEY]: capabilities,
    ...(logLevel !== undefined && { [LOG_LEVEL_META_KEY]: logLevel }),
  }
}

/** The SDK client lets keys the caller puts in `_meta` win over the envelope it stamps itself. */
function withEnvelope(params: Params, envelope: JsonObject | undefined): Params {
  return envelope ? { ...params, _meta: { ...params._meta, ...envelope } } : params
}

/** SEP-2243: mirror the arguments the upstream's tool marks with `x-mcp-header` into headers. */
function paramHeaders(upstream: Upstream, params: Params): Record<string, string> | undefined {
  const tool = upstream.catalog.tools.find((candidate) => candidate.name === params.name)
  const headers = mcpParamHeaders(tool?.inputSchema, params.arguments)
  return Object.keys(headers).length > 0 ? headers : undefined
}

/** An input_required round from the upstream itself: its state is marked so the retry can hand it back. */
function markUpstreamState(result: JsonObject): JsonObject {
  return typeof result.requestState === 'string'
    ? { ...result, requestState: `${UPSTREAM_STATE}${result.requestState}` }
    : result
}

/** Relays upstream progress under the client's own token, in order; past the budget, only the latest. */
function relayProgress(progressToken: unknown, ctx: ServerContext) {
  if (progressToken === undefined) return undefined
  const budget = new RelayBudget(100, 50)
  let queue = Promise.resolve()
  let held: JsonObject | undefined
  let timer: ReturnType<typeof setTimeout> | undefined
  const send = (progress: JsonObject) => {
    const notification = { method: 'notifications/progress', params: { ...progress, progressToken } } as never
    queue = queue.then(() => ctx.mcpReq.notify(notification)).catch(() => {})
  }
  const release = () => {
    timer = undefined
    if (held) send(held)
    held = undefined
  }
  return {
    onprogress: (progress: JsonObject) => {
      if (!timer && budget.take()) return send(progress)
      held = progress
      timer ??= setTimeout(release, budget.wait())
    },
    sent: () => {
      clearTimeout(timer)
      release()
      return queue
    },
  }
}

/** On the retry of an input_required round, hands the upstream its own state and the client's answers. */
function withRetryMaterial(
  params: Params,
  requestState: string | undefined,
  inputResponses: Record<string, unknown> | undefined,
): Params {
  const upstreamState = requestState?.startsWith(UPSTREAM_STATE)
    ? requestState.slice(UPSTREAM_STATE.length)
    : undefined
  if (upstreamState === undefined && inputResponses === undefined) return params
  return {
    ...params,
    ...(upstreamState !== undefined && { requestState: upstreamState }),
    ...(inputResponses !== undefined && { inputResponses }),
  }
}
