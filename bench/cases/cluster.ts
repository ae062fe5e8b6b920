import { cpus } from 'node:os'
import { type Contender, type Measurement, measure } from '../lib/measure.ts'
import { cpuMsOf } from '../lib/proc-stats.ts'
import { startHttpUpstreams } from '../targets/http-upstream.ts'
import { startPassThrough } from '../targets/pass-through.ts'
import { startProxmcp } from '../targets/proxmcp.ts'
import { startRedis } from '../targets/redis.ts'
import type { Target } from '../targets/target.ts'
import type { CaseContext, CaseResult, Comparison } from './case-types.ts'

export const SINGLE = 'ProxMCP'
export const CLUSTERED = 'ProxMCP, cluster mode'
export const balanced = (replicas: number) =>
  `${replicas} cluster replica${replicas === 1 ? '' : 's'} behind a round-robin balancer`

const REPLICAS = [1, 2, 3]
const SECRET = 'proxmcp-bench-cluster-secret-of-40-chars'

/**
 * Case 7: cluster mode. What sharing sessions through Redis costs one proxy per request, and what
 * 1, 2 and 3 replicas behind a round-robin balancer without affinity serve, every request of a
 * session going to the next replica in turn.
 */
export async function cluster(ctx: CaseContext): Promise<CaseResult> {
  const stops: (() => Promise<void> | void)[] = []
  const started = <T extends { stop(): Promise<void> }>(target: T) => {
    stops.push(target.stop)
    return target
  }
  try {
    const upstream = started(
      await startHttpUpstreams('case7-upstream', { count: 1, fillerTools: 10, era: 'both' }),
    )
    const redis = started(await startRedis('case7-redis'))
    const upstreams = [upstream.urls[0] as string]
    const env = { PROXMCP_CLUSTER_REDIS: redis.url, PROXMCP_CLUSTER_SECRET: SECRET }
    const single = started(await startProxmcp('case7-single', { upstreams }))
    // A replica set of its own for each balancer, so no replica holds another contender's sessions.
    const sets: { replicas: Target[]; balancer: Target }[] = []
    for (const count of REPLICAS) {
      const replicas: Target[] = []
      for (let index = 1; index <= count; index++) {
        replicas.push(started(await startProxmcp(`case7-set${count}-replica${index}`, { upstreams, env })))
      }
      const urls = replicas.map((replica) => replica.url)
      sets.push({ replicas, balancer: started(await startPassThrough(`case7-balancer${count}`, urls)) })
    }
    const contender = (name: string, url: string, replicas: Target[]): Contender => ({
      name,
      driver: 'raw',
      endpoint: url,
      tool: 'echo',
      proxyPid: (replicas[0] as Target).pid,
      replicaPids: replicas.slice(1).map((replica) => replica.pid),
      upstreamPid: upstream.pid,
    })
    const alone = sets[0]?.replicas[0] as Target
    const perRequest = await measure(
      ctx.load,
      [contender(SINGLE, single.url, [single]), contender(CLUSTERED, alone.url, [alone])],
      { ...ctx.plan, concurrencies: [1, 16] },
      ctx.log,
    )
    const redisCpuBefore = cpuMsOf(redis.pid)
    const scaling = await measure(
      ctx.load,
      sets.map(({ replicas, balancer }) => contender(balanced(replicas.length), balancer.url, replicas)),
      { ...ctx.plan, ops: ['call'], concurrencies: [16, 64] },
      ctx.log,
    )
    const redisCpuMs = cpuMsOf(redis.pid) - redisCpuBefore
    const measurements: Measurement[] = [...perRequest, ...scaling]
    const comparisons: Comparison[] = [
      { target: CLUSTERED, baseline: SINGLE },
      { target: balanced(1), baseline: CLUSTERED },
      ...REPLICAS.slice(1).map((count) => ({ target: balanced(count), baseline: balanced(1) })),
    ]
    return {
      id: 'cluster',
      title: 'Case 7: cluster mode, one proxy and replicas behind a balancer',
      measurements,
      comparisons,
      memory: [],
      notes: [
        'v2 upstream; 2025-era clients. Cluster mode: PROXMCP_CLUSTER_REDIS and PROXMCP_CLUSTER_SECRET, a throwaway redis-server on loopback.',
        `"${CLUSTERED}" is the same proxy as "${SINGLE}" with cluster mode on, clients connected to it directly: what cluster mode costs a request on a session the proxy opened itself (no Redis round trip on that path; the session's record is renewed at most every tenth of the idle timeout).`,
        "Balancer: the bench pass-through (Bun.serve and fetch, bytes untouched) sending each request to the next replica in turn, without affinity: every session is adopted by every replica (on its first request there: while the sessions open and warm up, or in the unmeasured priming), then its requests rotate across them. Each balancer has a replica set of its own. The balancer's own CPU is not counted; proxy CPU is the sum over the set's replicas (peak RSS is the first replica's).",
        `"${balanced(1)}" ÷ "${CLUSTERED}" (16 clients, measured in an earlier pass) is what the balancer's hop costs; 2 and 3 replicas are compared with 1 behind the same kind of balancer.`,
        `This machine has ${cpus().length} cores, shared by the load generator, the balancer, the replicas, Redis and the upstream: with fewer cores than processes, 2 and 3 replicas show the cluster's overhead (more processes splitting the same cores, less batching per event loop), not scaling. Scaling needs a core or a machine per replica.`,
        `Redis used ${Math.round(redisCpuMs)} ms CPU over the replica runs (sessions' warm-up and adoptions included).`,
      ],
    }
  } finally {
    for (const stop of stops.reverse()) await stop()
  }
}
