import { isLegacyRequest } from '@modelcontextprotocol/server'
import type { Context, Hono } from 'hono'
import { errorResponse, proxyErrors } from '../errors.ts'
import { authInfoFor } from '../plugins/context.ts'
import { opensSession } from '../session/streamable-sessions.ts'
import { unwrapCallToolRequest } from './call-tool-request.ts'
import { refuseWhileDraining } from './draining.ts'
import { refuseParamHeaderMismatch } from './param-headers.ts'
import { contextFor } from './request-context.ts'
import type { AppDeps, AppEnv, Front } from './types.ts'

/** `/mcp`: Streamable HTTP, each request routed to the 2025-era sessions or the 2026-07-28 handler. */
export function mountMcpRoutes(app: Hono<AppEnv>, deps: AppDeps, front: Front): void {
  const post = async (c: Context<AppEnv>) => {
    const read = await front.read(c.req.raw, true)
    if ('refusal' in read) return read.refusal
    const unwrapped = deps.config.toolSearch ? unwrapCallToolRequest(c.req.raw, read.body) : undefined
    const { request, body } = unwrapped ?? { request: c.req.raw, body: read.body }
    const draining = refuseWhileDraining(deps.accepting(), body)
    if (draining) return draining
    const ctx = contextFor(c, { body })
    return front.withPlugins(ctx, request, async () => {
      await deps.ready(opensSession(body))
      const options = { parsedBody: body, authInfo: authInfoFor(ctx, request.signal) }
      // A request for a session we hold is 2025-era by definition: skip the SDK's classifier,
      // which validates the whole body again with zod (about 12 µs a request).
      if (deps.streamable.holds(request) || (await isLegacyRequest(request, body))) {
        return deps.streamable.handle(request, options, {
          address: ctx.clientAddress,
          identity: ctx.identity,
        })
      }
      const schemaOf = (name: string) => deps.toolInputSchema(name, ctx)
      // A call_tool request carries its tool's arguments in its body, with no Mcp-Param-* headers.
      const mismatch = unwrapped ? undefined : refuseParamHeaderMismatch(request, body, schemaOf)
      return mismatch ?? deps.modern.fetch(request, options)
    })
  }
  const streamOrEnd = (c: Context<AppEnv>) => {
    const request = c.req.raw
    const ctx = contextFor(c)
    return front.withPlugins(ctx, request, async () => {
      await deps.ready()
      return deps.streamable.handle(
        request,
        { authInfo: authInfoFor(ctx, request.signal) },
        { address: ctx.clientAddress, identity: ctx.identity },
      )
    })
  }
  app.all('/mcp', (c) => {
    const refusal = front.admit(c.req.raw, c.req.path)
    if (refusal) return refusal
    switch (c.req.method) {
      case 'POST':
        return post(c)
      case 'GET':
      case 'DELETE':
        return streamOrEnd(c)
      default:
        return errorResponse(proxyErrors.methodNotAllowed())
    }
  })
}
