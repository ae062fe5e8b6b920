import { idleMemory } from '../lib/idle-memory.ts'
import { type Contender, measure } from '../lib/measure.ts'
import { startHttpUpstreams } from '../targets/http-upstream.ts'
import { startProxmcp } from '../targets/proxmcp.ts'
import type { CaseContext, CaseResult } from './case-types.ts'

const UPSTREAMS = 10
export const DIRECT_ONE = 'direct (u1)'
export const PROXMCP_ONE = 'ProxMCP, 1 upstream'
export const PROXMCP_TEN = `ProxMCP, ${UPSTREAMS} upstreams`

/**
 * Case 3: what aggregation costs. One ProxMCP in front of one upstream, one in front of ten (twelve
 * tools each): tools/list merges ten catalogs, and the call goes to the last upstream's own tool.
 */
export async function aggregate(ctx: CaseContext): Promise<CaseResult> {
  const stops: (() => Promise<void>)[] = []
  try {
    const upstreams = await startHttpUpstreams('case3-upstreams', {
      count: UPSTREAMS,
      fillerTools: 10,
      era: 'both',
    })
    stops.push(upstreams.stop)
    const one = await startProxmcp('case3-proxmcp-1', { upstreams: upstreams.urls.slice(0, 1) })
    stops.push(one.stop)
    const ten = await startProxmcp('case3-proxmcp-10', { upstreams: upstreams.urls })
    stops.push(ten.stop)
    const memory = await idleMemory([
      { name: PROXMCP_ONE, pid: one.pid },
      { name: PROXMCP_TEN, pid: ten.pid },
    ])
    const upstreamPid = upstreams.pid
    const contenders: Contender[] = [
      {
        name: DIRECT_ONE,
        driver: 'raw',
        endpoint: upstreams.urls[0] as string,
        tool: 'u1_echo',
        upstreamPid,
      },
      {
        name: PROXMCP_ONE,
        driver: 'raw',
        endpoint: one.url,
        tool: 'u1_echo',
        proxyPid: one.pid,
        upstreamPid,
      },
      {
        name: PROXMCP_TEN,
        driver: 'raw',
        endpoint: ten.url,
        tool: `u${UPSTREAMS}_echo`,
        proxyPid: ten.pid,
        upstreamPid,
      },
    ]
    const measurements = await measure(ctx.load, contenders, ctx.plan, ctx.log)
    return {
      id: 'aggregate',
      title: `Case 3: ${UPSTREAMS} upstreams aggregated vs 1`,
      measurements,
      comparisons: [
        { target: PROXMCP_ONE, baseline: DIRECT_ONE },
        { target: PROXMCP_TEN, baseline: DIRECT_ONE },
        { target: PROXMCP_TEN, baseline: PROXMCP_ONE },
      ],
      memory,
      notes: [
        `All ${UPSTREAMS} upstreams (v2, both eras, 12 tools each) are served by one upstream process.`,
        `tools/list: 12 tools direct and through 1 upstream, ${UPSTREAMS * 11 + 1} merged through ${UPSTREAMS} ('echo' is shared; the first upstream wins).`,
        `tools/call: u1_echo direct and through 1 upstream, u${UPSTREAMS}_echo through ${UPSTREAMS}.`,
      ],
    }
  } finally {
    for (const stop of stops.reverse()) await stop()
  }
}
