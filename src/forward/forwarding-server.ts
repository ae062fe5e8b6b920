import {
  ProtocolError,
  ProtocolErrorCode,
  Server,
  type ServerCapabilities,
  type ServerContext,
} from '@modelcontextprotocol/server'
import { contextOf } from '../plugins/context.ts'
import { namingMissingMethod } from '../upstream/method-not-found.ts'
import type { Upstream } from '../upstream/upstream.ts'
import { PROXY_INFO } from '../version.ts'
import { checkedToolResult } from './checked-result.ts'
import { LIST_FIELDS, listPage } from './list-page.ts'
import type { DownstreamScope, ProxyCore } from './scope.ts'
import { forwardCall, type Params } from './sdk-call.ts'
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

/**
 * A low-level SDK server whose handlers serve lists from the merged catalog and forward every
 * call, read and get to the upstream that owns it. The SDK does the protocol (both eras,
 * initialize, ping, the input_required shim for 2025 clients); this does the routing.
 */
export function createForwardingServer(core: ProxyCore, scope: DownstreamScope): Server {
  const server = new Server(PROXY_INFO, { capabilities: PROXY_CAPABILITIES })
  for (const [method, field] of LIST_FIELDS) {
    server.setRequestHandler(
      method as 'tools/list',
      (request, ctx) => listPage(core, field, request.params?.cursor, contextOf(ctx)) as never,
    )
  }

  server.setRequestHandler('tools/call', (request, ctx) => {
    const { name } = request.params
    const route = core.catalog.routeTool(name, contextOf(ctx)) ?? notFound(core, 'tools', name)
    const params = { ...request.params, name: route.name }
    return forwardCall(core, scope, route.upstream, 'tools/call', params, ctx).then(
      (result) => checkedToolResult(route.upstream, result) as never,
    )
  })
  server.setRequestHandler('prompts/get', (request, ctx) => {
    const { name } = request.params
    const route = core.catalog.routePrompt(name) ?? notFound(core, 'prompts', name)
    const params = { ...request.params, name: route.name }
    return forwardCall(core, scope, route.upstream, 'prompts/get', params, ctx) as never
  })
  server.setRequestHandler('resources/read', (request, ctx) => {
    const upstream = resourceOwner(core, request.params.uri)
    return forwardCall(core, scope, upstream, 'resources/read', request.params, ctx) as never
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
  return scope
    .withLink(upstream, (link) =>
      link.request('completion/complete', forwarded, { signal: ctx.mcpReq.signal }),
    )
    .catch(namingMissingMethod(upstream.id, 'completion/complete'))
}
