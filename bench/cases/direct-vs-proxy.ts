import { idleMemory } from '../lib/idle-memory.ts'
import { type Contender, measure } from '../lib/measure.ts'
import { startHttpUpstreams } from '../targets/http-upstream.ts'
import { startPassThrough } from '../targets/pass-through.ts'
import { startProxmcp } from '../targets/proxmcp.ts'
import type { CaseContext, CaseResult } from './case-types.ts'

export const DIRECT_V2 = 'direct (v2 upstream)'
export const PROXMCP_V2 = 'ProxMCP (v2 upstream)'
export const PASS_THROUGH_V2 = 'HTTP pass-through (v2 upstream)'
export const DIRECT_2025 = 'direct (2025-only upstream)'
export const PROXMCP_2025 = 'ProxMCP (2025-only upstream)'
/** The same two proxies from the --compare-root checkout. */
export const COMPARED_V2 = 'ProxMCP from --compare-root (v2 upstream)'
export const COMPARED_2025 = 'ProxMCP from --compare-root (2025-only upstream)'

/**
 * Case 1: a Streamable HTTP upstream directly and through ProxMCP. Two upstreams: a v2 SDK server
 * serving both eras (ProxMCP then talks 2026-07-28 to it, sessionless, on one shared connection),
 * and a 2025-era-only one (ProxMCP then opens an upstream session per client session). A byte-for-
 * byte HTTP pass-through shows what any extra hop costs here.
 */
export async function directVsProxy(ctx: CaseContext): Promise<CaseResult> {
  const stops: (() => Promise<void>)[] = []
  const started = <T extends { stop(): Promise<void> }>(process: T): T => {
    stops.push(process.stop)
    return process
  }
  try {
    const v2 = started(
      await startHttpUpstreams('case1-upstream-v2', { count: 1, fillerTools: 10, era: 'both' }),
    )
    const legacy = started(
      await startHttpUpstreams('case1-upstream-2025', { count: 1, fillerTools: 10, era: 'legacy' }),
    )
    const v2Url = v2.urls[0] as string
    const legacyUrl = legacy.urls[0] as string
    const proxyV2 = started(await startProxmcp('case1-proxmcp-v2', { upstreams: [v2Url] }))
    const proxy2025 = started(await startProxmcp('case1-proxmcp-2025', { upstreams: [legacyUrl] }))
    const passThrough = started(await startPassThrough('case1-pass-through', v2Url))
    const memory = await idleMemory([
      { name: PROXMCP_V2, pid: proxyV2.pid },
      { name: PROXMCP_2025, pid: proxy2025.pid },
      { name: PASS_THROUGH_V2, pid: passThrough.pid },
    ])
    const contender = (
      name: string,
      endpoint: string,
      upstreamPid: number,
      proxyPid?: number,
    ): Contender => ({
      name,
      driver: 'raw',
      endpoint,
      tool: 'echo',
      upstreamPid,
      ...(proxyPid !== undefined && { proxyPid }),
    })
    const contenders = [
      contender(DIRECT_V2, v2Url, v2.pid),
      contender(PROXMCP_V2, proxyV2.url, v2.pid, proxyV2.pid),
      contender(PASS_THROUGH_V2, passThrough.url, v2.pid, passThrough.pid),
      contender(DIRECT_2025, legacyUrl, legacy.pid),
      contender(PROXMCP_2025, proxy2025.url, legacy.pid, proxy2025.pid),
    ]
    const comparisons = [
      { target: PROXMCP_V2, baseline: DIRECT_V2 },
      { target: PASS_THROUGH_V2, baseline: DIRECT_V2 },
      { target: PROXMCP_2025, baseline: DIRECT_2025 },
      { target: PROXMCP_V2, baseline: PASS_THROUGH_V2 },
    ]
    if (ctx.compareRoot) {
      const root = ctx.compareRoot
      const otherV2 = started(await startProxmcp('case1-compared-v2', { upstreams: [v2Url], root }))
      const other2025 = started(await startProxmcp('case1-compared-2025', { upstreams: [legacyUrl], root }))
      contenders.push(
        contender(COMPARED_V2, otherV2.url, v2.pid, otherV2.pid),
        contender(COMPARED_2025, other2025.url, legacy.pid, other2025.pid),
      )
      comparisons.splice(
        3,
        0,
        { target: COMPARED_V2, baseline: DIRECT_V2 },
        { target: COMPARED_2025, baseline: DIRECT_2025 },
      )
      comparisons.push(
        { target: COMPARED_V2, baseline: PROXMCP_V2 },
        { target: COMPARED_2025, baseline: PROXMCP_2025 },
      )
    }
    const measurements = await measure(ctx.load, contenders, ctx.plan, ctx.log)
    return {
      id: 'direct-vs-proxy',
      title: 'Case 1: Streamable HTTP upstream, direct vs through ProxMCP',
      measurements,
      comparisons,
      memory,
      notes: [
        'v2 upstream: McpServer (v2 SDK), 2026-07-28 via createMcpHandler (a server instance per request, as the SDK prescribes), 2025-era via a sessionful transport per session (JSON responses). Direct clients use its 2025-era leg; ProxMCP negotiates 2026-07-28 with it.',
        '2025-only upstream: the same server without the 2026-07-28 leg; ProxMCP opens one upstream session per client session.',
        'tools/list through ProxMCP is answered from its merged catalog; tools/call is forwarded.',
        ...(ctx.compareRoot ? [`--compare-root: ${ctx.compareRoot}`] : []),
        'HTTP pass-through: bench/upstreams/pass-through.ts, Bun.serve → fetch with the bytes untouched (no MCP parsing), in front of the v2 upstream: the floor for any proxy hop on this machine.',
      ],
    }
  } finally {
    for (const stop of stops.reverse()) await stop()
  }
}
