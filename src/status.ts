import type { UpstreamTransport } from './config/resolve.ts'
import type { Upstream, UpstreamState } from './upstream/upstream.ts'

/** One upstream as the proxy sees it now. */
export interface UpstreamStatus {
  id: string
  transport: UpstreamTransport
  /** The protocol era it speaks (`legacy` is the SDK's word for the 2025 era), once known. */
  era: 'legacy' | 'modern' | null
  state: UpstreamState
  lastError?: string
  /** Reconnects since start. */
  reconnects: number
  tools: number
  resources: number
  resourceTemplates: number
  prompts: number
}

/** A read-only snapshot of the proxy: its upstreams, and the client sessions open. */
export interface ProxMCPStatus {
  upstreams: UpstreamStatus[]
  /** Open 2025-era sessions (Streamable HTTP and HTTP+SSE); 2026-07-28 clients hold none. */
  sessions: number
  callsInFlight: number
}

export function upstreamStatus(upstream: Upstream): UpstreamStatus {
  const { tools, resources, resourceTemplates, prompts } = upstream.catalog
  return {
    id: upstream.id,
    transport: upstream.config.transport,
    era: upstream.era ?? null,
    state: upstream.state,
    ...(upstream.lastError && { lastError: upstream.lastError }),
    reconnects: upstream.reconnects,
    tools: tools.length,
    resources: resources.length,
    resourceTemplates: resourceTemplates.length,
    prompts: prompts.length,
  }
}
