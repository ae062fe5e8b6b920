import type { AuditLog } from '../audit/audit-log.ts'
import type { ResolvedConfig } from '../config/resolve.ts'
import type { ProxyMetrics } from '../metrics/proxy-metrics.ts'
import type { PluginPipeline } from '../plugins/pipeline.ts'
import type { ProxMCPContext } from '../plugins/types.ts'
import type { McpEndpoint } from '../servers/mcp-endpoint.ts'
import type { Tracing } from '../tracing/tracing.ts'
import type { UiDeps } from '../ui/ui-routes.ts'
import type { Upstream } from '../upstream/upstream.ts'
import type { readMessage } from './read-message.ts'

export interface AppDeps {
  config: ResolvedConfig
  /** The endpoint at `/mcp` (no name) or `/mcp/<name>`; undefined where there is none. */
  endpoint: (name: string | undefined) => McpEndpoint | undefined
  plugins: PluginPipeline
  metrics: ProxyMetrics
  upstreams: () => Upstream[]
  /**
   * Resolves once the proxy can serve a request: the upstreams have had their first connection
   * attempt. `sessionOpening`: the request only opens a session (an initialize), which needs no
   * upstream, so it need not wait for them.
   */
  ready: (sessionOpening?: boolean) => Promise<void>
  /** False while shutting down: no new sessions or sessionless requests. */
  accepting: () => boolean
  /** In cluster mode, whether this replica has joined (reached Redis): not ready until it has. */
  clusterJoined?: () => boolean
  /** The status page, when it is on. */
  ui?: UiDeps
  /** The audit trail, when it is on: refusals are security events. */
  audit?: AuditLog
  /** Tracing, once set up (it is loaded at start, only when on). */
  tracing: () => Tracing | undefined
  /** A request the plugins let through: its identity's latest, for credentials worked out per identity. */
  rememberIdentity: (ctx: ProxMCPContext) => void
}

/** Bindings the runtime adapters pass to `fetch`. */
export type AppEnv = {
  Bindings: {
    clientAddress?: string
    /** Passed on by another replica of the cluster, which decided this one serves it: never passed on again. */
    passedOn?: boolean
  }
}

/** Runs the plugin hooks around serving one request. */
export type WithPlugins = (
  ctx: ProxMCPContext,
  request: Request,
  serve: () => Promise<Response>,
) => Promise<Response>

/** What every MCP route runs first: the refusal of a foreign Host or Origin, or of new work while shutting down. */
export type Admit = (request: Request, path: string) => Response | undefined

/** The steps every MCP route shares. */
export interface Front {
  admit: Admit
  withPlugins: WithPlugins
  /** Reads and checks a POSTed JSON-RPC body within the size limit. */
  read: (request: Request, streamable: boolean) => ReturnType<typeof readMessage>
}
