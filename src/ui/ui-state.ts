import type { ToolReport } from '../aggregate/catalog-report.ts'
import type { UpstreamConfig } from '../config/resolve.ts'
import type { Traffic } from '../metrics/proxy-metrics.ts'
import type { ServerSummary } from '../servers/mcp-endpoint.ts'
import type { ProxMCPStatus, UpstreamStatus } from '../status.ts'
import type { RecentRequest } from './recent-requests.ts'

const MASK = '•••'
const TOKEN_LIKE_LENGTH = 16

/** A merged catalog as the page shows it: each tool with what became of it, and who owns what. */
export interface CatalogView {
  tools: ToolReport[]
  prompts: { name: string; upstream: string }[]
  resources: { uri: string; upstream: string }[]
}

/** Everything the status page shows, read afresh for each poll; its catalog is every upstream's. */
export interface UiState extends CatalogView {
  upstreams: (UpstreamStatus & { target: string; secrets: string[] })[]
  /** Each virtual server's catalog, by name: only its upstreams, its rules applied. */
  serverCatalogs: Record<string, CatalogView>
  sessions: number
  /** The virtual servers (`/mcp/<name>`), with their sessions. */
  servers: ServerSummary[]
  /** The MCP endpoints the page may call, relative to it (`mcp`, `mcp/<name>`); `/mcp` only while it is served. */
  endpoints: string[]
  callsInFlight: number
  traffic: Traffic
  recent: RecentRequest[]
  /** Whether the page may offer a config reload (the CLI can; a programmatic proxy may not). */
  canReload: boolean
}

/**
 * Where an upstream is, without what could be a secret: a URL without its user, password and
 * query; a command's program only; header and environment names with their values masked.
 */
export function describeTarget(config: UpstreamConfig): { target: string; secrets: string[] } {
  const names = (map: Record<string, string> | ((...args: never[]) => unknown) | undefined) =>
    typeof map === 'function'
      ? ['headers per identity']
      : Object.keys(map ?? {}).map((name) => `${name}=${MASK}`)
  if (config.transport === 'stdio') {
    const [program = '', ...args] = config.command ?? []
    return { target: `${program}${args.length ? ` ${MASK}` : ''}`, secrets: names(config.env) }
  }
  const url = new URL(config.url as string)
  // Some hosted servers carry the key in the path (`/s/<key>/mcp`): long segments are masked too.
  const path = url.pathname
    .split('/')
    .map((segment) => (segment.length >= TOKEN_LIKE_LENGTH ? MASK : segment))
    .join('/')
  return { target: `${url.origin}${path}${url.search ? `?${MASK}` : ''}`, secrets: names(config.headers) }
}

export function uiUpstreams(status: ProxMCPStatus, configs: UpstreamConfig[]): UiState['upstreams'] {
  return status.upstreams.map((upstream) => {
    const config = configs.find((candidate) => candidate.id === upstream.id)
    return { ...upstream, ...(config ? describeTarget(config) : { target: '', secrets: [] }) }
  })
}
