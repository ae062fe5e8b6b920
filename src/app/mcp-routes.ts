import { isLegacyRequest } from '@modelcontextprotocol/server'
import type { Context, Hono } from 'hono'
import { errorResponse, proxyErrors } from '../errors.ts'
import { authInfoFor } from '../plugins/context.ts'
import { opensSession } from '../session/streamable-sessions.ts'
import { refuseWhileDraining } from './draining.ts'
import { refuseParamHeaderMismatch } from './param-headers.ts'
import { contextFor } from './request-context.ts'
import type { AppDeps, AppEnv, Front } from './types.ts'

/** `/mcp`: Streamable HTTP, each request routed to the 2025-era sessions or the 2026-07-28 handler. */
export function mountMcpRoutes(app: Hono<AppEnv>, deps: AppDeps, front: Front): void {
  const post = async (c: Context<AppEnv>) => {
    const request = c.req.raw
    const read = await front.read(request, true)
    if ('refusal' in read) return read.refusal
    const draining = refuseWhileDraining(deps.accepting(), read.body)
    if (draining) return draining
    const ctx = contextFor(c, { body: read.body })
    return front.withPlugins(ctx, request, async () => {
      await deps.ready(opensSession(read.body))
      const options = { parsedBody: read.body, authInfo: authInfoFor(ctx, request.signal) }
      // A request for a session we hold is 2025-era by definition: skip the SDK's classifier,
      // which validates the whole body again with zod (about 12 µs a request).
      if (deps.streamable.holds(request) || (await isLegacyRequest(request, read.body))) {
        return deps.streamable.handle(request, options, {
          address: ctx.clientAddress,
          identity: ctx.identity,
        })
      }
      const schemaOf = (name: string) => deps.toolInputSchema(name, ctx)
      return refuseParamHeaderMismatch(request, read.body, schemaOf) ?? deps.modern.fetch(request, options)
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
