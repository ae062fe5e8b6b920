import {
  ProtocolError,
  ProtocolErrorCode,
  Server,
  type ServerCapabilities,
  type ServerContext,
} from '@modelcontextprotocol/server'
import { paginate } from '../aggregate/paginate.ts'
import type { JsonObject } from '../upstream/link.ts'
import type { Upstream } from '../upstream/upstream.ts'
import { PROXY_INFO } from '../version.ts'
import type { DownstreamScope, ProxyCore } from './scope.ts'
import { Suspensions } from './suspensions.ts'
import { upstreamUnavailable } from './unavailable.ts'

/**
 * Everything the proxy can relay. Advertised whatever the upstreams offer right now: capabilities
 * are fixed at initialize, and an upstream that comes up later must still be reachable.
 */
export const PROXY_CAPABILITIES: ServerCapabilities = {
  tools: { listChanged: true },
  resources: { subscribe: true, listChanged: true },
  prompts: { listChanged: true },
  completions: {},
  logging: {},
}

/** Marks a passed-through upstream `requestState`, so a retry is told apart from one of our own. */
const UPSTREAM_STATE = 'u:'

type Params = JsonObject & { _meta?: JsonObject }

/**
 * A low-level SDK server whose handlers serve lists from the merged catalog and forward every
 * call, read and get to the upstream that owns it. The SDK does the protocol (both eras,
 * initialize, ping, the input_required shim for 2025 clients); this does the routing.
 */
export function createForwardingServer(core: ProxyCore, scope: DownstreamScope): Server {
  const server = new Server(PROXY_INFO, { capabilities: PROXY_CAPABILITIES })
  const list =
    (field: 'tools' | 'prompts' | 'resources' | 'resourceTemplates') => (request: { params?: Params }) => {
      const { page, nextCursor } = paginate(core.catalog[field], request.params?.cursor, core.pageSize)
      return { [field]: page, ...(nextCursor && { nextCursor }) } as never
    }
  server.setRequestHandler('tools/list', list('tools'))
  server.setRequestHandler('prompts/list', list('prompts'))
  server.setRequestHandler('resources/list', list('resources'))
  server.setRequestHandler('resources/templates/list', list('resourceTemplates'))

  server.setRequestHandler('tools/call', (request, ctx) => {
    const route = core.catalog.routeTool(request.params.name) ?? notFound(core, 'tools', request.params.name)
    return forwardCall(
      scope,
      route.upstream,
      'tools/call',
      { ...request.params, name: route.name },
      ctx,
    ) as never
  })
  server.setRequestHandler('prompts/get', (request, ctx) => {
    const route =
      core.catalog.routePrompt(request.params.name) ?? notFound(core, 'prompts', request.params.name)
    return forwardCall(
      scope,
      route.upstream,
      'prompts/get',
      { ...request.params, name: route.name },
      ctx,
    ) as never
  })
  server.setRequestHandler('resources/read', (request, ctx) => {
    const upstream = resourceOwner(core, request.params.uri)
    return forwardCall(scope, upstream, 'resources/read', request.params, ctx) as never
  })
  server.setRequestHandler(
    'completion/complete',
    (request, ctx) => complete(core, scope, request.params, ctx) as never,
  )
  server.setRequestHandler('resources/subscribe', async (request) => {
    await scope.subscribe?.(resourceOwner(core, request.params.uri), request.params.uri, true)
    return {}
  })
  server.setRequestHandler('resources/unsubscribe', async (request) => {
    await scope.subscribe?.(resourceOwner(core, request.params.uri), request.params.uri, false)
    return {}
  })
  server.setRequestHandler('logging/setLevel', async (request) => {
    await scope.setLogLevel?.(request.params.level)
    return {}
  })
  return server
}

/** Unknown names are -32602; a name whose upstream is down says so instead. */
function notFound(core: ProxyCore, kind: 'tools' | 'prompts', name: string): never {
  const formerOwner = core.catalog.formerOwner(kind, name)
  if (formerOwner) throw upstreamUnavailable(formerOwner)
  throw new ProtocolError(
    ProtocolErrorCode.InvalidParams,
    `Unknown ${kind === 'tools' ? 'tool' : 'prompt'}: ${name}`,
  )
}

function resourceOwner(core: ProxyCore, uri: string): Upstream {
  const upstream = core.catalog.routeResource(uri)
  if (!upstream)
    throw new ProtocolError(ProtocolErrorCode.InvalidParams, `Resource not found: ${uri}`, { uri })
  return upstream
}

async function complete(core: ProxyCore, scope: DownstreamScope, params: Params, ctx: ServerContext) {
  const ref = params.ref as { type?: string; name?: string; uri?: string }
  const route = ref.type === 'ref/prompt' ? core.catalog.routePrompt(ref.name ?? '') : undefined
  const upstream =
    route?.upstream ?? (ref.type === 'ref/resource' ? core.catalog.routeTemplate(ref.uri ?? '') : undefined)
  if (!upstream)
    throw new ProtocolError(ProtocolErrorCode.InvalidParams, `Unknown reference: ${JSON.stringify(ref)}`)
  if (!upstream.capabilities?.completions) return { completion: { values: [], hasMore: false } }
  const forwarded = route ? { ...params, ref: { ...ref, name: route.name } } : params
  const link = await scope.link(upstream)
  return link.request('completion/complete', forwarded, { signal: ctx.mcpReq.signal })
}

/**
 * Forwards a call, read or get: progress comes back under the client's own token, cancellation
 * goes up, questions the upstream asks reach the client, input_required rounds pass through.
 */
async function forwardCall(
  scope: DownstreamScope,
  upstream: Upstream,
  method: string,
  params: Params,
  ctx: ServerContext,
): Promise<JsonObject> {
  const requestState = ctx.mcpReq.requestState<string>()
  if (scope.resumeCall && Suspensions.owns(requestState)) {
    return scope.resumeCall(ctx, requestState as string)
  }
  const progress = relayProgress(params._meta?.progressToken, ctx)
  const link = await scope.link(upstream)
  const upstreamParams = withRetryMaterial(params, requestState, ctx.mcpReq.inputResponses)
  const result = await scope.runCall(ctx, (ask, signal) =>
    link
      .request(method, upstreamParams, { signal, onprogress: progress?.onprogress, ask })
      .then(markUpstreamState),
  )
  // The result ends the response stream: every progress notification must be out before it.
  await progress?.sent()
  return result
}

/** An input_required round from the upstream itself: its state is marked so the retry can hand it back. */
function markUpstreamState(result: JsonObject): JsonObject {
  return typeof result.requestState === 'string'
    ? { ...result, requestState: `${UPSTREAM_STATE}${result.requestState}` }
    : result
}

/** Relays upstream progress under the client's own token, in order. */
function relayProgress(progressToken: unknown, ctx: ServerContext) {
  if (progressToken === undefined) return undefined
  let queue = Promise.resolve()
  return {
    onprogress: (progress: JsonObject) => {
      const notification = {
        method: 'notifications/progress',
        params: { ...progress, progressToken },
      } as never
      queue = queue.then(() => ctx.mcpReq.notify(notification)).catch(() => {})
    },
    sent: () => queue,
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
