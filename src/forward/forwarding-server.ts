import { Server, type ServerCapabilities, type ServerContext } from '@modelcontextprotocol/server'
import { contextOf } from '../plugins/context.ts'
import { PROXY_INFO } from '../version.ts'
import { forward } from './forward.ts'
import { LIST_FIELDS, listPage } from './list-page.ts'
import { route } from './route.ts'
import type { CallScope, ProxyCore, SessionRequests } from './scope.ts'
import type { Params } from './upstream-request.ts'

/** What the SDK server hands to the forwarding lifecycle. */
const FORWARDED = ['tools/call', 'prompts/get', 'resources/read', 'completion/complete'] as const

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
export function createForwardingServer(core: ProxyCore, scope: CallScope, session?: SessionRequests): Server {
  const identity = core.server
  const server = new Server(identity ? { ...PROXY_INFO, name: identity.name } : PROXY_INFO, {
    capabilities: PROXY_CAPABILITIES,
    ...(identity?.instructions !== undefined && { instructions: identity.instructions }),
  })
  for (const [method, field] of LIST_FIELDS) {
    server.setRequestHandler(
      method as 'tools/list',
      (request, ctx) => listPage(core, field, request.params?.cursor, contextOf(ctx)) as never,
    )
  }

  for (const method of FORWARDED) {
    server.setRequestHandler(method, ((request: { params: Params }, ctx: ServerContext) =>
      forward(core, scope, method, request.params, ctx)) as never)
  }
  for (const method of ['resources/subscribe', 'resources/unsubscribe'] as const) {
    server.setRequestHandler(method, async (request) => {
      const { upstream } = route(core, method, request.params, undefined)
      await session?.subscribe(upstream, request.params.uri, method === 'resources/subscribe')
      return {}
    })
  }
  server.setRequestHandler('logging/setLevel', async (request) => {
    await session?.setLogLevel(request.params.level)
    return {}
  })
  return server
}
