import type { Notification } from '@modelcontextprotocol/client'
import type { ToolSearchOptions } from '../aggregate/tool-search.ts'
import type { ResolvedConfig } from '../config/resolve.ts'
import type { CatalogKind } from '../upstream/list-all.ts'
import type { Upstream } from '../upstream/upstream.ts'
import { type EndpointSettings, McpEndpoint, type SharedParts } from './mcp-endpoint.ts'

type ServerConfigs = ResolvedConfig['servers']

function toolSearchOptions(
  setting: boolean | { pinned: string[] } | undefined,
): ToolSearchOptions | undefined {
  return setting === true ? { pinned: [] } : setting || undefined
}

function settingsOf(name: string, server: ServerConfigs[string]): EndpointSettings {
  const { toolSearch, ...rest } = server
  const search = toolSearchOptions(toolSearch)
  return { name, ...rest, ...(search && { toolSearch: search }) }
}

/**
 * The endpoints a proxy serves: everything (what `/mcp` serves unless `default` says otherwise,
 * and what the status page shows) and each virtual server (`servers`), kept across reloads.
 */
export class Endpoints {
  readonly everything: McpEndpoint
  private readonly named = new Map<string, McpEndpoint>()
  private target: string | false | undefined

  constructor(
    private readonly shared: SharedParts,
    config: Pick<ResolvedConfig, 'servers' | 'default' | 'toolSearch'>,
  ) {
    this.everything = new McpEndpoint(shared, {})
    this.apply(config)
  }

  /** The endpoint at `/mcp` (no name) or `/mcp/<name>`; undefined where there is none. */
  at(name: string | undefined): McpEndpoint | undefined {
    if (name !== undefined) return this.named.get(name)
    if (this.target === false) return undefined
    return this.target === undefined ? this.everything : this.named.get(this.target)
  }

  /** The virtual servers, in config order. */
  servers(): McpEndpoint[] {
    return [...this.named.values()]
  }

  all(): McpEndpoint[] {
    return [this.everything, ...this.named.values()]
  }

  /**
   * Brings the servers in line with a new config: new ones are added, changed ones updated in
   * place (their sessions stay). Returns the removed ones, for the caller to close (their
   * clients' next request is a 404).
   */
  apply(config: Pick<ResolvedConfig, 'servers' | 'default' | 'toolSearch'>): McpEndpoint[] {
    const planned = Object.entries(config.servers).map(([name, server]) => settingsOf(name, server))
    const search = toolSearchOptions(config.toolSearch)
    this.everything.update(search ? { toolSearch: search } : {})
    const leaving: McpEndpoint[] = []
    for (const [name, endpoint] of this.named) {
      if (name in config.servers) continue
      this.named.delete(name)
      leaving.push(endpoint)
    }
    for (const settings of planned) {
      const name = settings.name as string
      const existing = this.named.get(name)
      if (existing) existing.update(settings)
      else this.named.set(name, new McpEndpoint(this.shared, settings))
    }
    // Sessions opened at `/mcp` live in the endpoint it served; once it serves another, they are unreachable.
    if (this.target === undefined && config.default !== undefined) void this.everything.closeSessions()
    this.target = config.default
    return leaving
  }

  catalogChanged(kinds: CatalogKind[], upstream?: Upstream): void {
    for (const endpoint of this.all()) endpoint.catalogChanged(kinds, upstream)
  }

  /** An identity's own tool list changed on an upstream: every server over it shows the new one. */
  identityToolsChanged(upstream: Upstream, identity: string): void {
    for (const endpoint of this.all()) if (endpoint.serves(upstream)) endpoint.catalog.forget(identity)
  }

  sharedNotification(upstream: Upstream, notification: Notification): void {
    for (const endpoint of this.all()) endpoint.sharedNotification(upstream, notification)
  }

  async close(): Promise<void> {
    await Promise.all(this.all().map((endpoint) => endpoint.close()))
  }
}
