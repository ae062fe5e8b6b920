import { requestFacts } from '../audit/audit-events.ts'
import { proxyErrors } from '../errors.ts'
import type { ProxMCPContext } from '../plugins/types.ts'
import type { Upstream } from '../upstream/upstream.ts'
import type { ProxyCore } from './scope.ts'
import { upstreamUnavailable } from './unavailable.ts'
import type { Params } from './upstream-request.ts'

/** The upstream that owns a request, and the params it gets (names as the upstream knows them). */
export interface Route {
  upstream: Upstream
  params: Params
}

/** The owner of a forwarded request, or undefined when no upstream has its name, URI or reference. */
export function findRoute(
  core: ProxyCore,
  method: string,
  params: Params,
  ctx: ProxMCPContext | undefined,
): Route | undefined {
  const { catalog } = core
  switch (method) {
    case 'tools/call':
    case 'prompts/get': {
      const name = String(params.name)
      const found = method === 'tools/call' ? catalog.routeTool(name, ctx) : catalog.routePrompt(name)
      return found && { upstream: found.upstream, params: { ...params, name: found.name } }
    }
    case 'resources/read':
    case 'resources/subscribe':
    case 'resources/unsubscribe': {
      const upstream = catalog.routeResource(String(params.uri))
      return upstream && { upstream, params }
    }
    case 'completion/complete': {
      const ref = (params.ref ?? {}) as { type?: string; name?: string; uri?: string }
      if (ref.type === 'ref/prompt') {
        const found = catalog.routePrompt(ref.name ?? '')
        return found && { upstream: found.upstream, params: { ...params, ref: { ...ref, name: found.name } } }
      }
      const upstream = ref.type === 'ref/resource' ? catalog.routeTemplate(ref.uri ?? '') : undefined
      return upstream && { upstream, params }
    }
    default:
      return undefined
  }
}

/** The owner of a forwarded request, or the error a client gets when there is none. */
export function route(
  core: ProxyCore,
  method: string,
  params: Params,
  ctx: ProxMCPContext | undefined,
): Route {
  return findRoute(core, method, params, ctx) ?? notRouted(core, method, params, ctx)
}

/**
 * Unknown names are -32602; a name whose upstream is down says so instead. A tool kept from this
 * client by filters or access rules answers the same, and is an access refusal in the audit trail.
 */
function notRouted(core: ProxyCore, method: string, params: Params, ctx: ProxMCPContext | undefined): never {
  if (method === 'tools/call' && core.audit && ctx && core.catalog.hides(String(params.name), ctx)) {
    core.audit.log.record({
      event: 'access_refused',
      reason: 'tool not visible to this client',
      method,
      name: String(params.name),
      ...requestFacts(ctx),
    })
  }
  if (method === 'tools/call' || method === 'prompts/get') {
    const kind = method === 'tools/call' ? 'tools' : 'prompts'
    const formerOwner = core.catalog.formerOwner(kind, String(params.name))
    if (formerOwner) throw upstreamUnavailable(formerOwner)
    throw proxyErrors.unknownName(kind === 'tools' ? 'tool' : 'prompt', params.name)
  }
  if (method === 'completion/complete') throw proxyErrors.unknownReference(params.ref)
  throw proxyErrors.resourceNotFound(params.uri)
}
