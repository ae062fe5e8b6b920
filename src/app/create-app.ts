import { Hono } from 'hono'
import { refusalEvent, requestFacts } from '../audit/audit-events.ts'
import { errorResponse, proxyErrors } from '../errors.ts'
import { attachTrace } from '../tracing/tracing.ts'
import { mountUiRoutes } from '../ui/ui-routes.ts'
import { guardPolicy, rejectForeign } from './guard.ts'
import { mountHealthRoutes } from './health-routes.ts'
import { mountMcpRoutes } from './mcp-routes.ts'
import { readMessage } from './read-message.ts'
import { contextFor } from './request-context.ts'
import { mountSseRoutes } from './sse-routes.ts'
import type { Admit, AppDeps, AppEnv, Front, WithPlugins } from './types.ts'

export type { AppDeps, AppEnv }

/**
 * The HTTP face of the proxy: Host/Origin checks, then `/mcp` (Streamable HTTP, both protocol
 * eras) and `/sse` + `/messages` (HTTP+SSE, 2024-11-05), all through the plugin hooks.
 * The checks run inside each route's one handler rather than as middleware: Hono calls a route
 * with a single handler directly, without composing a chain, which is most of its cost per request.
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
    const trace = deps.tracing()?.request(ctx, request)
    if (trace) {
      attachTrace(ctx, trace)
      ctx.traceId = trace.traceId
    }
    const answered = await deps.plugins.onRequest(ctx, request)
    if (!answered && ctx.identity !== undefined) deps.rememberIdentity(ctx)
    const response = answered ?? (await serve())
    trace?.end(response.status)
    const durationMs = performance.now() - startedAt
    deps.metrics.recordResponse(
      ctx.rpc?.method ?? ctx.http.method,
      response.status,
      durationMs / 1000,
      ctx.server,
    )
    deps.ui?.recent.record(ctx, response.status, durationMs)
    const refusal = deps.audit && refusalEvent(response.status)
    if (refusal) {
      const method = ctx.rpc?.method ?? `${ctx.http.method} ${ctx.http.path}`
      deps.audit?.record({ event: refusal, status: response.status, method, ...requestFacts(ctx) })
    }
    await deps.plugins.onResponse(ctx, response, durationMs)
    return response
  }

  const admit: Admit = (request, path) => {
    const refusal = rejectForeign(request, policy)
    if (refusal) {
      deps.metrics.rejected.inc({ reason: 'forbidden' })
      deps.audit?.record({
        event: 'access_refused',
        reason: 'foreign Host or Origin',
        path,
        host: request.headers.get('host'),
        origin: request.headers.get('origin'),
      })
      return refusal
    }
    if (!deps.accepting() && startsNewWork(request, path)) return errorResponse(proxyErrors.shuttingDown())
    return undefined
  }
  const { maxBodyBytes } = deps.config
  const onTooLarge = () => deps.metrics.rejected.inc({ reason: 'too_large' })
  const front: Front = {
    admit,
    withPlugins,
    read: (request, streamable) => readMessage(request, { streamable, maxBytes: maxBodyBytes, onTooLarge }),
  }

  mountHealthRoutes(app, deps)
  mountMcpRoutes(app, deps, front)
  mountSseRoutes(app, deps, front)
  if (deps.ui) mountUiRoutes(app, deps.ui, (request) => rejectForeign(request, policy))
  // Plugins answer discovery documents (OAuth Protected Resource Metadata); without one it is a 404.
  app.get('/.well-known/*', (c) => withPlugins(contextFor(c), c.req.raw, async () => c.notFound()))
  return app
}

/** A request that would open a session or an event stream: refused while shutting down. */
function startsNewWork(request: Request, path: string): boolean {
  return request.method === 'POST'
    ? (path === '/mcp' || path.startsWith('/mcp/')) && !request.headers.has('mcp-session-id')
    : path === '/sse' || (path.startsWith('/sse/') && !path.endsWith('/messages'))
}
