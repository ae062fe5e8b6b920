import { freemem } from 'node:os'
import { idleMemory } from '../lib/idle-memory.ts'
import { type Contender, measure } from '../lib/measure.ts'
import { STDIO_UPSTREAM } from '../targets/http-upstream.ts'
import { startMcpProxy } from '../targets/mcp-proxy.ts'
import { startProxmcp } from '../targets/proxmcp.ts'
import { startSupergateway } from '../targets/supergateway.ts'
import type { CaseContext, CaseResult } from './case-types.ts'

export const DIRECT_STDIO = 'direct stdio'
export const PROXMCP_STDIO = 'ProxMCP'
export const PROXMCP_SHARED = 'ProxMCP --share-stdio'
export const MCP_PROXY = 'mcp-proxy 6.7.19'
export const SUPERGATEWAY = 'supergateway 4.0.0'

/** ProxMCP, supergateway and the direct baseline start one upstream process per session (about 50 MB each). */
const BYTES_PER_SESSION_PROCESS = 60 * 1024 * 1024
const PROCESS_PER_SESSION_CONTENDERS = 3

/**
 * Case 2: one stdio upstream (2025-era, v1 SDK) served over Streamable HTTP by ProxMCP and by the
 * peers, with the load generator speaking stdio to the server itself as the direct baseline.
 */
export async function stdioPeers(ctx: CaseContext): Promise<CaseResult> {
  const stops: (() => Promise<void>)[] = []
  const notes: string[] = [
    'Upstream: bench/upstreams/stdio-upstream.ts (v1 SDK McpServer over stdio, 2025-era only), run by Bun.',
    'ProxMCP (Bun, by default) and supergateway (--stateful, Node) start one upstream process per client session; mcp-proxy (Node) and ProxMCP --share-stdio multiplex every session onto one upstream process.',
    'direct stdio: the load generator starts one upstream per simulated client and speaks JSON lines to it (no HTTP).',
  ]
  try {
    const proxmcp = await startProxmcp('case2-proxmcp', { stdio: [STDIO_UPSTREAM] })
    stops.push(proxmcp.stop)
    const shared = await startProxmcp('case2-proxmcp-shared', { stdio: [STDIO_UPSTREAM], shareStdio: true })
    stops.push(shared.stop)
    const mcpProxy = await startMcpProxy('case2-mcp-proxy', STDIO_UPSTREAM)
    stops.push(mcpProxy.stop)
    const supergateway = await startSupergateway('case2-supergateway', STDIO_UPSTREAM)
    stops.push(supergateway.stop)
    const memory = await idleMemory([
      { name: PROXMCP_STDIO, pid: proxmcp.pid },
      { name: PROXMCP_SHARED, pid: shared.pid },
      { name: MCP_PROXY, pid: mcpProxy.pid },
      { name: SUPERGATEWAY, pid: supergateway.pid },
    ])
    const proxied = (name: string, target: { url: string; pid: number }): Contender => ({
      name,
      driver: 'raw',
      endpoint: target.url,
      tool: 'echo',
      proxyPid: target.pid,
      childrenAreUpstreams: true,
    })
    const contenders: Contender[] = [
      { name: DIRECT_STDIO, driver: 'stdio', endpoint: STDIO_UPSTREAM, tool: 'echo' },
      proxied(PROXMCP_STDIO, proxmcp),
      proxied(PROXMCP_SHARED, shared),
      proxied(MCP_PROXY, mcpProxy),
      proxied(SUPERGATEWAY, supergateway),
    ]
    const concurrencies = ctx.plan.concurrencies.filter((count) => {
      const needed = count * PROCESS_PER_SESSION_CONTENDERS * BYTES_PER_SESSION_PROCESS
      if (needed < freemem()) return true
      notes.push(`skipped ${count} clients: ${count * 3} upstream processes need more memory than is free`)
      return false
    })
    const measurements = await measure(ctx.load, contenders, { ...ctx.plan, concurrencies }, ctx.log)
    return {
      id: 'stdio-peers',
      title: 'Case 2: stdio upstream, ProxMCP vs mcp-proxy vs supergateway',
      measurements,
      comparisons: [
        { target: PROXMCP_STDIO, baseline: DIRECT_STDIO },
        { target: PROXMCP_SHARED, baseline: DIRECT_STDIO },
        { target: MCP_PROXY, baseline: DIRECT_STDIO },
        { target: SUPERGATEWAY, baseline: DIRECT_STDIO },
        { target: PROXMCP_STDIO, baseline: MCP_PROXY },
        { target: PROXMCP_STDIO, baseline: SUPERGATEWAY },
        { target: PROXMCP_SHARED, baseline: MCP_PROXY },
        { target: PROXMCP_SHARED, baseline: SUPERGATEWAY },
      ],
      memory,
      notes,
    }
  } finally {
    for (const stop of stops.reverse()) await stop()
  }
}
