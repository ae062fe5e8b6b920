import { isLegacyRequest } from '@modelcontextprotocol/server'
import type { Context, Hono } from 'hono'
import { errorResponse, proxyErrors } from '../errors.ts'
import { authInfoFor } from '../plugins/context.ts'
import type { ProxMCPContext } from '../plugins/types.ts'
import type { McpEndpoint } from '../servers/mcp-endpoint.ts'
import { opensSession } from '../session/streamable-sessions.ts'
import { unwrapCallToolRequest } from './call-tool-request.ts'
import { refuseWhileDraining } from './draining.ts'
import { refuseParamHeaderMismatch } from './param-headers.ts'
import { passOn } from './pass-on.ts'
import { contextFor } from './request-context.ts'
import type { AppDeps, AppEnv, Front } from './types.ts'

/**
 * `/mcp` and `/mcp/<server>`: Streamable HTTP, each request routed to the endpoint's 2025-era
 * sessions or its 2026-07-28 handler.
 */
export function mountMcpRoutes(app: Hono<AppEnv>, deps: AppDeps, front: Front): void {
  const post = async (c: Context<AppEnv>, endpoint: McpEndpoint) => {
    const read = await front.read(c.req.raw, true)
    if ('refusal' in read) return read.refusal
    const unwrapped = endpoint.catalog.searchesTools ? unwrapCallToolRequest(c.req.raw, read.body) : undefined
    const { request, body } = unwrapped ?? { request: c.req.raw, body: read.body }
    const draining = refuseWhileDraining(deps.accepting(), body)
    if (draining) {
      const passing = passOn(c, (address) => endpoint.streamable.passedWhileDraining(request, body, address))
      return (passing && (await passing)) ?? draining
    }
    const passing = passOn(c, (address) => endpoint.streamable.servedElsewhere(request, body, address))
    const elsewhere = passing && (await passing)
    if (elsewhere) return elsewhere
    const ctx = contextFor(c, { body, server: endpoint.name })
    return front.withPlugins(ctx, request, async () => {
      const refusal = refuseAtEndpoint(c, endpoint, ctx)
      if (refusal) return refusal
      await deps.ready(opensSession(body))
      const preparing = endpoint.prepareTools(ctx)
      if (preparing) await preparing
      const options = { parsedBody: body, authInfo: authInfoFor(ctx, request.signal) }
      // A request for a session we hold is 2025-era by definition: skip the SDK's classifier,
      // which validates the whole body again with zod (about 12 µs a request).
      if (endpoint.streamable.holds(request) || (await isLegacyRequest(request, body))) {
        return endpoint.streamable.handle(request, options, {
          address: ctx.clientAddress,
          identity: ctx.identity,
        })
      }
      const schemaOf = (name: string) => endpoint.toolInputSchema(name, ctx)
      // A call_tool request carries its tool's arguments in its body, with no Mcp-Param-* headers.
      const mismatch = unwrapped ? undefined : refuseParamHeaderMismatch(request, body, schemaOf)
      return mismatch ?? endpoint.modern.fetch(request, options)
    })
  }
  const streamOrEnd = async (c: Context<AppEnv>, endpoint: McpEndpoint) => {
    const request = c.req.raw
    const passing = passOn(c, (address) => endpoint.streamable.servedElsewhere(request, undefined, address))
    const elsewhere = passing && (await passing)
    if (elsewhere) return elsewhere
    const ctx = contextFor(c, { server: endpoint.name })
    return front.withPlugins(ctx, request, async () => {
      const refusal = refuseAtEndpoint(c, endpoint, ctx)
      if (refusal) return refusal
      await deps.ready()
      return endpoint.streamable.handle(
        request,
        { authInfo: authInfoFor(ctx, request.signal) },
        { address: ctx.clientAddress, identity: ctx.identity },
      )
    })
  }
  const serve = (c: Context<AppEnv>, name: string | undefined) => {
    const refusal = front.admit(c.req.raw, c.req.path)
    if (refusal) return refusal
    const endpoint = deps.endpoint(name)
    if (!endpoint) return noServer(c, front)
    switch (c.req.method) {
      case 'POST':
        return post(c, endpoint)
      case 'GET':
      case 'DELETE':
        return streamOrEnd(c, endpoint)
      default:
        return errorResponse(proxyErrors.methodNotAllowed())
    }
  }
  app.all('/mcp', (c) => serve(c, undefined))
  app.all('/mcp/:server', (c) => serve(c, c.req.param('server')))
}

/**
 * A path with no server is answered after the plugins, like any other request: an unauthenticated
 * caller cannot tell which names exist, and the request is logged and counted.
 */
export function noServer(c: Context<AppEnv>, front: Front): Promise<Response> {
  return front.withPlugins(contextFor(c), c.req.raw, async () =>
    errorResponse(proxyErrors.unknownServer(c.req.path)),
  )
}

/**
 * Once the plugins have run: 404 for a server a reload removed meanwhile, 403 for a caller its
 * `access` does not name.
 */
export function refuseAtEndpoint(
  c: Context<AppEnv>,
  endpoint: McpEndpoint,
  ctx: ProxMCPContext,
): Response | undefined {
  if (!endpoint.isOpen) return errorResponse(proxyErrors.unknownServer(c.req.path))
  return endpoint.admits(ctx.identity) ? undefined : errorResponse(proxyErrors.serverForbidden(c.req.path))
}
