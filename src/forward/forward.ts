import type { ServerContext } from '@modelcontextprotocol/server'
import { CALL_TOOL, SEARCH_TOOLS } from '../aggregate/tool-search.ts'
import { ProxyErrorCode, proxyErrors } from '../errors.ts'
import { contextOf } from '../plugins/context.ts'
import type { ProxMCPContext } from '../plugins/types.ts'
import type { JsonObject } from '../upstream/link.ts'
import { answerToolSearch, beginCall } from './call-lifecycle.ts'
import { checkedToolResult } from './checked-result.ts'
import { route } from './route.ts'
import type { CallScope, ProxyCore } from './scope.ts'
import { sdkCall, sdkComplete } from './sdk-call.ts'
import type { Params } from './upstream-request.ts'

/**
 * The lifecycle of a request the proxy's SDK server forwards: routed to the upstream that owns it,
 * begun (see beginCall), sent through this scope's SDK session (where the scope admits it), its
 * result checked, and ended. The direct path (DirectCalls) takes the same steps with its own strategy.
 */
export async function forward(
  core: ProxyCore,
  scope: CallScope,
  method: string,
  params: Params,
  ctx: ServerContext,
): Promise<JsonObject> {
  const pluginContext = contextOf(ctx)
  const local = method === 'tools/call' ? answeredByProxy(core, params, pluginContext) : undefined
  if (local) return local
  const { upstream, params: routed } = route(core, method, params, pluginContext)
  const call = beginCall(core, upstream, method, pluginContext)
  try {
    const result =
      method === 'completion/complete'
        ? await sdkComplete(scope, upstream, routed, ctx)
        : await sdkCall(scope, upstream, method, routed, ctx, call.trace)
    // The SDK server validates what it sends: a malformed result would fail as the client's fault.
    const checked = method === 'tools/call' ? checkedToolResult(upstream, result) : result
    const final = await resultAsPluginsLeaveIt(core, method, checked, pluginContext)
    call.succeeded()
    return final
  } catch (error) {
    if ((error as { code?: unknown }).code === ProxyErrorCode.UpstreamTimeout) call.event('timeout')
    if (ctx.mcpReq.signal.aborted) call.event('cancelled')
    await call.failed(error)
    throw error
  }
}

/** Tool search's own tools: `search_tools`, and a `call_tool` that names no tool (others were unwrapped on arrival). */
function answeredByProxy(
  core: ProxyCore,
  params: Params,
  ctx: ProxMCPContext | undefined,
): Promise<JsonObject> | undefined {
  const { catalog } = core
  if (!catalog.searchesTools) return undefined
  if (params.name === SEARCH_TOOLS)
    return answerToolSearch(core, ctx, async () =>
      resultAsPluginsLeaveIt(core, 'tools/call', await catalog.searchTools(params.arguments, ctx), ctx),
    )
  if (params.name === CALL_TOOL)
    throw proxyErrors.invalidToolArguments(CALL_TOOL, 'name must be the name of a tool')
  return undefined
}

const RESULTS_PLUGINS_SEE = new Set(['tools/call', 'resources/read', 'prompts/get'])

/** A final result passes the plugins' `onResult`; an input_required round is not one yet. */
function resultAsPluginsLeaveIt(
  core: ProxyCore,
  method: string,
  result: JsonObject,
  ctx: ProxMCPContext | undefined,
): Promise<JsonObject> | JsonObject {
  if (!ctx || !core.plugins.hasResultHooks || !RESULTS_PLUGINS_SEE.has(method)) return result
  if (result.resultType === 'input_required') return result
  return core.plugins.onResult(ctx, result) as Promise<JsonObject>
}
