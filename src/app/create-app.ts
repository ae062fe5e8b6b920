import { Hono } from 'hono'
import { errorResponse, proxyErrors } from '../errors.ts'
import { guardPolicy, rejectForeign } from './guard.ts'
import { mountHealthRoutes } from './health-routes.ts'
import { mountMcpRoutes } from './mcp-routes.ts'
import { contextFor } from './request-context.ts'
import { mountSseRoutes } from './sse-routes.ts'
import type { AppDeps, AppEnv, WithPlugins } from './types.ts'

export type { AppDeps, AppEnv }

/**
 * The HTTP face of the proxy: Host/Origin checks, then `/mcp` (Streamable HTTP, both protocol
 * eras) and `/sse` + `/messages` (HTTP+SSE, 2024-11-05), all through the plugin hooks.
 */
export function createApp(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>()
  const policy = guardPolicy({
    host: deps.config.host ?? '127.0.0.1',
    allowedHosts: deps.config.allowedHosts,
    allowedOrigins: deps.config.allowedOrigins,
  })
  const withPlugins: WithPlugins = async (ctx, request, serve) => {
    const startedAt = performance.now()
    const response = (await deps.plugins.onRequest(ctx, request)) ?? (await serve())
    const durationMs = performance.now() - startedAt
    deps.metrics.recordResponse(ctx.rpc?.method ?? ctx.http.method, response.status, durationMs / 1000)
    await deps.plugins.onResponse(ctx, response, durationMs)
    return response
  }

  mountHealthRoutes(app, deps)
  app.use('*', async (c, next) => {
    const startsNewWork =
      c.req.method === 'POST'
        ? !c.req.header('mcp-session-id') && c.req.path === '/mcp'
        : c.req.path === '/sse'
    if (deps.accepting() || !startsNewWork) return next()
    return errorResponse(proxyErrors.shuttingDown())
  })
  for (const path of ['/mcp', '/sse', '/messages']) {
    app.use(path, async (c, next) => {
      const refusal = rejectForeign(c.req.raw, policy)
      if (!refusal) return next()
      deps.metrics.rejected.inc({ reason: 'forbidden' })
      return refusal
    })
  }
  mountMcpRoutes(app, deps, withPlugins)
  mountSseRoutes(app, deps, withPlugins)
  // Plugins answer discovery documents (OAuth Protected Resource Metadata); without one it is a 404.
  app.get('/.well-known/*', (c) => withPlugins(contextFor(c), c.req.raw, async () => c.notFound()))
  return app
}
