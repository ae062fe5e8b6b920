import type { Catalog } from '../aggregate/catalog.ts'
import type { UpstreamConfig } from '../config/resolve.ts'
import type { Traffic } from '../metrics/proxy-metrics.ts'
import type { ServerSummary } from '../servers/mcp-endpoint.ts'
import type { ProxMCPStatus } from '../status.ts'
import { RecentRequests } from './recent-requests.ts'
import type { UiDeps } from './ui-routes.ts'
import { type CatalogView, uiUpstreams } from './ui-state.ts'

/** What the proxy lends its status page. */
export interface UiSource {
  adminKey?: string
  status(): ProxMCPStatus
  upstreamConfigs(): UpstreamConfig[]
  /** The catalog of every upstream (what `/mcp` serves unless `default` says otherwise). */
  catalog: Catalog
  traffic(): Traffic
  /** The virtual servers. */
  servers(): ServerSummary[]
  /** Each virtual server's own catalog. */
  serverCatalogs(): { name: string; catalog: Catalog }[]
  /** Whether `/mcp` is served (`default: false` turns it off). */
  servesMcp(): boolean
  restart(id: string): Promise<boolean>
  reload?: () => Promise<string>
  /** False while the proxy shuts down: no action may start. */
  accepting(): boolean
}

export function createUiDeps(source: UiSource): UiDeps {
  const recent = new RecentRequests()
  return {
    ...(source.adminKey !== undefined && { adminKey: source.adminKey }),
    recent,
    restart: (id) => source.restart(id),
    accepting: () => source.accepting(),
    ...(source.reload && { reload: source.reload }),
    state: () => {
      const status = source.status()
      return {
        upstreams: uiUpstreams(status, source.upstreamConfigs()),
        ...catalogView(source.catalog),
        serverCatalogs: Object.fromEntries(
          source.serverCatalogs().map(({ name, catalog }) => [name, catalogView(catalog)]),
        ),
        sessions: status.sessions,
        servers: source.servers(),
        endpoints: [
          ...(source.servesMcp() ? ['mcp'] : []),
          ...source.servers().map((server) => `mcp/${server.name}`),
        ],
        callsInFlight: status.callsInFlight,
        traffic: source.traffic(),
        recent: recent.list(),
        canReload: source.reload !== undefined,
      }
    },
  }
}

function catalogView(catalog: Catalog): CatalogView {
  return { tools: catalog.toolReport(), ...catalog.owners() }
}
