import type { Context, Hono } from 'hono'
import { unwrapCallTool } from '../aggregate/tool-search.ts'
import { authInfoFor } from '../plugins/context.ts'
import { refuseWhileDraining } from './draining.ts'
import { noServer, refuseAtEndpoint } from './mcp-routes.ts'
import { passOn } from './pass-on.ts'
import { contextFor } from './request-context.ts'
import type { AppDeps, AppEnv, Front } from './types.ts'

/**
 * The HTTP+SSE transport (2024-11-05) for clients that speak nothing newer: `/sse` with
 * `/messages`, and `/sse/<server>` with `/sse/<server>/messages`.
 */
export function mountSseRoutes(app: Hono<AppEnv>, deps: AppDeps, front: Front): void {
  const open = (c: Context<AppEnv>, name: string | undefined) => {
    const refusal = front.admit(c.req.raw, c.req.path)
    if (refusal) return refusal
    // Hono routes HEAD here too; a HEAD answer's body is dropped without being cancelled, so the
    // session it opened would never close.
    if (c.req.method === 'HEAD') return c.body(null, 405, { allow: 'GET' })
    const endpoint = deps.endpoint(name)
    if (!endpoint) return noServer(c, front)
    const ctx = contextFor(c, { server: endpoint.name })
    return front.withPlugins(ctx, c.req.raw, async () => {
      const refused = refuseAtEndpoint(c, endpoint, ctx)
      if (refused) return refused
      await deps.ready()
      // Relative to the stream's URL: `/sse` → `/messages`, `/sse/<name>` → `/sse/<name>/messages`.
      const messages = name === undefined ? 'messages' : `${name}/messages`
      return endpoint.sse.open({ address: ctx.clientAddress, identity: ctx.identity }, messages)
    })
  }
  const message = async (c: Context<AppEnv>, name: string | undefined) => {
    const request = c.req.raw
    const refusal = front.admit(request, c.req.path)
    if (refusal) return refusal
    const endpoint = deps.endpoint(name)
    if (!endpoint) return noServer(c, front)
    const read = await front.read(request, false)
    if ('refusal' in read) return read.refusal
    const body = endpoint.catalog.searchesTools ? unwrapCallTool(read.body) : read.body
    const draining = refuseWhileDraining(deps.accepting(), body)
    if (draining) return draining
    const sessionId = c.req.query('sessionId')
    const passing = passOn(c, (address) =>
      endpoint.sse.servedElsewhere(request, read.body, sessionId, address),
    )
    const elsewhere = passing && (await passing)
    if (elsewhere) return elsewhere
    const ctx = contextFor(c, { body, sessionId, server: endpoint.name })
    return front.withPlugins(ctx, request, async () => {
      const refused = refuseAtEndpoint(c, endpoint, ctx)
      if (refused) return refused
      const preparing = endpoint.prepareTools(ctx)
      if (preparing) await preparing
      const entry = endpoint.sse.find(sessionId, ctx.identity)
      // Calls live as long as the event stream, not as long as this POST (answered 202 at once).
      const authInfo = authInfoFor(ctx, entry?.transport.signal ?? request.signal)
      return endpoint.sse.post(sessionId, entry, body as never, request, authInfo)
    })
  }
  app.get('/sse', (c) => open(c, undefined))
  app.post('/messages', (c) => message(c, undefined))
  app.get('/sse/:server', (c) => open(c, c.req.param('server')))
  app.post('/sse/:server/messages', (c) => message(c, c.req.param('server')))
}
