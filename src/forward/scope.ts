import type { ServerContext } from '@modelcontextprotocol/server'
import type { Catalog } from '../aggregate/catalog.ts'
import type { AuditLog } from '../audit/audit-log.ts'
import type { ProxyMetrics } from '../metrics/proxy-metrics.ts'
import type { PluginPipeline } from '../plugins/pipeline.ts'
import type { AskDownstream, JsonObject, UpstreamLink } from '../upstream/link.ts'
import type { Upstream } from '../upstream/upstream.ts'

/** An upstream call that may ask the client for input; it owns the signal that cancels it. */
export type SuspendableCall = (ask: AskDownstream, signal: AbortSignal) => Promise<JsonObject>

/** What every downstream server of one endpoint shares: the merged catalog and how lists are paged. */
export interface ProxyCore {
  catalog: Catalog
  plugins: PluginPipeline
  metrics: ProxyMetrics
  /** The upstreams this endpoint serves, in config order. */
  readonly upstreams: Upstream[]
  /** A virtual server's own `serverInfo.name` and `instructions`; absent for `/mcp` over every upstream. */
  server?: { name: string; instructions?: string }
  pageSize: number
  /** The audit trail, when it is on: every forwarded call is a line. */
  audit?: { log: AuditLog; includeArguments: boolean }
}

/**
 * Where a forwarded request is served from: a 2025-era session with its own upstream connections,
 * or a sessionless 2026-07-28 request on the shared ones.
 */
export interface CallScope {
  /** Runs `use` on this scope's connection to the upstream (or one opened for this request alone). */
  withLink<T>(upstream: Upstream, use: (link: UpstreamLink) => Promise<T>, ctx?: ServerContext): Promise<T>
  /**
   * Runs an upstream call during which the upstream may ask the client for input (sampling,
   * elicitation, roots). The scope decides how the question reaches the client, and which
   * signal cancels the call.
   */
  runCall(ctx: ServerContext, call: SuspendableCall): Promise<JsonObject>
  /**
   * Continues a call that an earlier `input_required` round paused, when `requestState` is one of
   * this scope's; undefined otherwise.
   */
  resumeCall(ctx: ServerContext, requestState: string | undefined): Promise<JsonObject> | undefined
  /**
   * The `_meta` envelope keys a 2026-07-28 upstream needs from a client that sends no envelope of
   * its own (a 2025-era session on a modern-only upstream): its capabilities and log level.
   * Undefined where the client's own requests carry one.
   */
  envelope(): JsonObject | undefined
}

/** What only a 2025-era session keeps for its client across requests. */
export interface SessionRequests {
  /** The session's logging level reaches its upstreams. */
  setLogLevel(level: string): Promise<void>
  subscribe(upstream: Upstream, uri: string, subscribed: boolean): Promise<void>
}
