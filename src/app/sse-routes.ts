import type { Hono } from 'hono'
import { authInfoFor } from '../plugins/context.ts'
import { unwrapCallToolRequest } from './call-tool-request.ts'
import { refuseWhileDraining } from './draining.ts'
import { contextFor } from './request-context.ts'
import type { AppDeps, AppEnv, Front } from './types.ts'

/** The HTTP+SSE transport (2024-11-05) for clients that speak nothing newer. */
export function mountSseRoutes(app: Hono<AppEnv>, deps: AppDeps, front: Front): void {
  app.get('/sse', (c) => {
    const refusal = front.admit(c.req.raw, c.req.path)
    if (refusal) return refusal
    // Hono routes HEAD here too; a HEAD answer's body is dropped without being cancelled, so the
    // session it opened would never close.
    if (c.req.method === 'HEAD') return c.body(null, 405, { allow: 'GET' })
    const ctx = contextFor(c)
    return front.withPlugins(ctx, c.req.raw, async () => {
      await deps.ready()
      return deps.sse.open({ address: ctx.clientAddress, identity: ctx.identity })
    })
  })
  app.post('/messages', async (c) => {
    const request = c.req.raw
    const refusal = front.admit(request, c.req.path)
    if (refusal) return refusal
    const read = await front.read(request, false)
    if ('refusal' in read) return read.refusal
    const body = (deps.config.toolSearch && unwrapCallToolRequest(request, read.body)?.body) || read.body
    const draining = refuseWhileDraining(deps.accepting(), body)
    if (draining) return draining
    const sessionId = c.req.query('sessionId')
    const ctx = contextFor(c, { body, sessionId })
    return front.withPlugins(ctx, request, async () => {
      const entry = deps.sse.find(sessionId, ctx.identity)
      // Calls live as long as the event stream, not as long as this POST (answered 202 at once).
      const authInfo = authInfoFor(ctx, entry?.transport.signal ?? request.signal)
      return deps.sse.post(sessionId, entry, body as never, request, authInfo)
    })
  })
}
