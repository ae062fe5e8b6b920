import type { Hono } from 'hono'
import { upstreamStatus } from '../status.ts'
import type { AppDeps, AppEnv } from './types.ts'

/**
 * Liveness, readiness (which upstreams are up; not ready while draining, so a balancer stops
 * sending new work, nor in cluster mode before Redis is reached) and Prometheus metrics.
 */
export function mountHealthRoutes(app: Hono<AppEnv>, deps: AppDeps): void {
  app.get('/healthz', (c) => c.json({ status: 'ok' }))
  app.get('/readyz', async (c) => {
    await deps.ready()
    const upstreams = deps.upstreams().map(upstreamStatus)
    if (!deps.accepting()) return c.json({ status: 'draining', upstreams }, 503)
    if (deps.clusterJoined?.() === false) return c.json({ status: 'joining cluster', upstreams }, 503)
    const ready = upstreams.some((upstream) => upstream.state === 'up')
    return c.json({ status: ready ? 'ready' : 'unavailable', upstreams }, ready ? 200 : 503)
  })
  app.get('/metrics', (c) =>
    c.body(deps.metrics.render(), 200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }),
  )
}
