import type { Env, Hono } from 'hono'
import { errorResponse, proxyErrors } from '../errors.ts'
import type { RecentRequests } from './recent-requests.ts'
import { refuseAction, refuseViewer } from './ui-access.ts'
import { statusPage } from './ui-page.ts'
import type { UiState } from './ui-state.ts'

/** What the status page reads and does, from the proxy that serves it. */
export interface UiDeps {
  /** Undefined: the page is open (the proxy is bound to loopback). */
  adminKey?: string
  recent: RecentRequests
  state(): UiState
  /** False when there is no such upstream. */
  restart(id: string): Promise<boolean>
  /** Reads the config again and applies it; undefined where the proxy cannot. Resolves to what changed. */
  reload?: () => Promise<string>
  /** False while the proxy shuts down: actions are refused, so none starts an upstream that would outlive it. */
  accepting(): boolean
}

/**
 * `GET /ui` (the page), `GET /ui/state` (what it shows, polled) and its two actions. The page is
 * for admins: see refuseViewer and refuseAction.
 */
export function mountUiRoutes<E extends Env>(
  app: Hono<E>,
  ui: UiDeps,
  /** The Host/Origin check every route of the proxy has (DNS rebinding). */
  rejectForeign: (request: Request) => Response | undefined,
): void {
  const token = crypto.randomUUID()
  const headers = {
    'cache-control': 'no-store',
    'x-frame-options': 'DENY',
    'x-content-type-options': 'nosniff',
  }
  const refuseAct = (request: Request) =>
    refuseAction(request, token) ?? (ui.accepting() ? undefined : errorResponse(proxyErrors.shuttingDown()))
  const refuse = (request: Request) =>
    rejectForeign(request) ??
    refuseViewer(request, ui.adminKey) ??
    (request.method === 'POST' ? refuseAct(request) : undefined)
  app.use('/ui', async (c, next) => refuse(c.req.raw) ?? next())
  app.use('/ui/*', async (c, next) => refuse(c.req.raw) ?? next())
  app.get('/ui', (c) =>
    c.html(statusPage(token), 200, {
      ...headers,
      'content-security-policy':
        "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; frame-ancestors 'none'",
    }),
  )
  app.get('/ui/state', (c) => c.json(ui.state(), 200, headers))
  app.post('/ui/upstreams/:id/restart', async (c) => {
    const id = c.req.param('id')
    if (!(await ui.restart(id))) return errorResponse(proxyErrors.uiUnknownUpstream(id))
    return c.json({ message: `upstream '${id}' restarted` })
  })
  app.post('/ui/reload', async (c) => {
    if (!ui.reload) return errorResponse(proxyErrors.uiCannotReload())
    try {
      return c.json({ message: await ui.reload() })
    } catch (error) {
      return c.json({ message: `config rejected, the running one stays: ${(error as Error).message}` }, 422)
    }
  })
}
