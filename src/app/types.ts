import type { McpHttpHandler } from '@modelcontextprotocol/server'
import type { ResolvedConfig } from '../config/resolve.ts'
import type { ProxyMetrics } from '../metrics/proxy-metrics.ts'
import type { PluginPipeline } from '../plugins/pipeline.ts'
import type { ProxMCPContext } from '../plugins/types.ts'
import type { StreamableSessions } from '../session/streamable-sessions.ts'
import type { SseSessions } from '../sse/sse-sessions.ts'
import type { Upstream } from '../upstream/upstream.ts'

export interface AppDeps {
  config: ResolvedConfig
  streamable: StreamableSessions
  sse: SseSessions
  modern: McpHttpHandler
  plugins: PluginPipeline
  metrics: ProxyMetrics
  upstreams: () => Upstream[]
  /** The input schema of a tool as this client sees it, as its upstream declared it. */
  toolInputSchema: (name: string, ctx: ProxMCPContext) => unknown
  /**
   * Resolves once the proxy can serve a request: the upstreams have had their first connection
   * attempt. `sessionOpening`: the request only opens a session (an initialize), which needs no
   * upstream, so it need not wait for them.
   */
  ready: (sessionOpening?: boolean) => Promise<void>
  /** False while shutting down: no new sessions or sessionless requests. */
  accepting: () => boolean
}

/** Bindings the runtime adapters pass to `fetch`. */
export type AppEnv = { Bindings: { clientAddress?: string } }

/** Runs the plugin hooks around serving one request. */
export type WithPlugins = (
  ctx: ProxMCPContext,
  request: Request,
  serve: () => Promise<Response>,
) => Promise<Response>
