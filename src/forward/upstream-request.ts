import {
  CLIENT_CAPABILITIES_META_KEY,
  LOG_LEVEL_META_KEY,
  type ServerContext,
} from '@modelcontextprotocol/server'
import type { TraceContext } from '../tracing/tracing.ts'
import type { JsonObject } from '../upstream/link.ts'
import { mcpParamHeaders } from '../upstream/mcp-param-headers.ts'
import type { Upstream } from '../upstream/upstream.ts'

export type Params = JsonObject & { _meta?: JsonObject }

/** Marks a passed-through upstream `requestState`, so a retry is told apart from one of our own. */
const UPSTREAM_STATE = 'u:'

/**
 * The client's own capabilities and log level, from its request's envelope: a 2026-07-28 upstream
 * decides what it may ask (and whether to log) by them, not by what the proxy's connection declared.
 */
export function envelopeOf(ctx: ServerContext): JsonObject | undefined {
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
export function withEnvelope(params: Params, envelope: JsonObject | undefined): Params {
  return envelope ? { ...params, _meta: { ...params._meta, ...envelope } } : params
}

/** The trace context of the proxy's span, in `params._meta`, where every transport carries it. */
export function withTraceContext(params: Params, trace: TraceContext | undefined): Params {
  return trace ? { ...params, _meta: { ...params._meta, ...trace } } : params
}

/** SEP-2243: mirror the arguments the upstream's tool marks with `x-mcp-header` into headers. */
export function paramHeaders(
  upstream: Upstream,
  params: Params,
  identity: string | undefined,
): Record<string, string> | undefined {
  const tool = upstream.identities.tool(String(params.name), identity)
  const headers = mcpParamHeaders(tool?.inputSchema, params.arguments)
  return Object.keys(headers).length > 0 ? headers : undefined
}

/** An input_required round from the upstream itself: its state is marked so the retry can hand it back. */
export function markUpstreamState(result: JsonObject): JsonObject {
  return typeof result.requestState === 'string'
    ? { ...result, requestState: `${UPSTREAM_STATE}${result.requestState}` }
    : result
}

/** On the retry of an input_required round, hands the upstream its own state and the client's answers. */
export function withRetryMaterial(
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
