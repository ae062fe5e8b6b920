import type { LoadGenerator } from '../load/load-client.ts'
import type { Driver } from '../load/protocol.ts'
import type { LoadResult } from '../load/run-load.ts'
import type { Op } from '../load/session.ts'
import { cpuMsOf, sampleTree } from './proc-stats.ts'
import { median, spread } from './stats.ts'

/** What every case runs: the same grid of operations, client counts and repetitions. */
export interface Plan {
  ops: Op[]
  concurrencies: number[]
  /** Measured requests per run, by client count. */
  requests: (concurrency: number) => number
  warmup: number
  /**
   * Requests of each operation every contender serves, unmeasured, at each client count before its
   * runs there: a proxy's JIT compiles its hot path (and recompiles it for concurrent use) over
   * its first few thousand calls, a one-off cost that short runs would otherwise count as CPU per
   * call.
   */
  prime: number
  reps: number
  timeLimitMs: number
}

/** One thing measured side by side with others in a case. */
export interface Contender {
  name: string
  driver: Driver
  endpoint: string | string[]
  tool: string
  /** The proxy process, for its CPU and RSS. Absent for direct connections. */
  proxyPid?: number
  /** More processes of the same proxy (cluster replicas): their CPU adds to the proxy's. */
  replicaPids?: number[]
  /** An upstream process, for its CPU. */
  upstreamPid?: number
  /** Credentials the clients send, one set a client (see WorkerCommand `open`). */
  headers?: Record<string, string>[]
  /** The proxy's child processes are upstreams (stdio): their CPU counts as upstream CPU. */
  childrenAreUpstreams?: boolean
}

export interface Measurement {
  target: string
  op: Op
  concurrency: number
  /**
   * From the repetition with the median throughput: on a shared machine the background load comes
   * and goes within a run, so the best run says more about luck than the median does.
   */
  rps: number
  p50: number
  p90: number
  p99: number
  /** Throughput of every repetition, in run order. */
  repRps: number[]
  /** (max - min) / max of repRps. */
  rpsSpread: number
  requests: number
  errors: number
  firstError?: string
  timedOut: boolean
  /** CPU time per request (µs) of the load generator, the proxy and the upstream: medians over the runs. */
  loadCpuUsPerRequest: number
  proxyCpuUsPerRequest?: number
  upstreamCpuUsPerRequest?: number
  /**
   * The proxy's CPU per request in each repetition, by repetition (NaN for a run that served
   * nothing), and which `measure()` call ran them: measurements of one pass can be paired.
   */
  repProxyCpuUsPerRequest?: number[]
  pass: number
  /** Peak RSS of the proxy process during the runs, and of it with its children. */
  peakRss?: number
  peakTreeRss?: number
}

interface Run {
  result: LoadResult
  proxyCpuMs?: number
  upstreamCpuMs?: number
  peakRss: number
  peakTreeRss: number
}

const RSS_SAMPLE_MS = 100
/** Counts `measure()` calls: see Measurement.pass. */
let passes = 0

/**
 * Measures contenders side by side: at each client count the sessions are opened (and warmed with a
 * call) for all of them, then for each operation the repetitions interleave the contenders, in an
 * order that changes every repetition (see turnOrder), so background load hits them alike.
 */
export async function measure(
  load: LoadGenerator,
  contenders: Contender[],
  plan: Plan,
  log: (line: string) => void,
): Promise<Measurement[]> {
  const measurements: Measurement[] = []
  const pass = ++passes
  try {
    for (const concurrency of plan.concurrencies) {
      for (const contender of contenders) {
        const opened = (await load.send({
          cmd: 'open',
          target: contender.name,
          driver: contender.driver,
          endpoint: contender.endpoint,
          sessions: concurrency,
          warmTool: contender.tool,
          ...(contender.headers && { headers: contender.headers }),
        })) as { ms: number }
        log(`  ${contender.name}: ${concurrency} sessions ready (${opened.ms.toFixed(0)} ms)`)
        await prime(load, contender, concurrency, plan, log)
      }
      for (const op of plan.ops) {
        const runs = new Map<string, Run[]>(contenders.map((contender) => [contender.name, []]))
        for (let rep = 0; rep < plan.reps; rep++) {
          for (const contender of turnOrder(contenders, rep)) {
            const run = await runOnce(load, contender, op, concurrency, plan)
            runs.get(contender.name)?.push(run)
          }
        }
        for (const contender of contenders) {
          const measurement = summarize(contender, op, concurrency, runs.get(contender.name) ?? [], pass)
          measurements.push(measurement)
          log(
            `  ${contender.name} ${op} x${concurrency}: ${measurement.rps.toFixed(0)} req/s, ` +
              `p50 ${measurement.p50.toFixed(2)} ms (spread ${(measurement.rpsSpread * 100).toFixed(0)}%)`,
          )
        }
      }
    }
  } finally {
    for (const contender of contenders) await load.send({ cmd: 'close', target: contender.name })
  }
  return measurements
}

async function prime(
  load: LoadGenerator,
  contender: Contender,
  concurrency: number,
  plan: Plan,
  log: (line: string) => void,
): Promise<void> {
  if (plan.prime <= 0) return
  const before = cpuOf(contender).proxy
  for (const op of plan.ops) {
    const spec = { op, tool: contender.tool, concurrency, warmup: 0, timeLimitMs: plan.timeLimitMs }
    await load.run(contender.name, { ...spec, requests: plan.prime })
  }
  if (contender.proxyPid === undefined) return
  const ms = cpuOf(contender).proxy - before
  log(
    `  ${contender.name}: primed with ${plan.prime} requests of each operation at ${concurrency}, ${ms.toFixed(0)} ms proxy CPU`,
  )
}

async function runOnce(
  load: LoadGenerator,
  contender: Contender,
  op: Op,
  concurrency: number,
  plan: Plan,
): Promise<Run> {
  const cpu = () => cpuOf(contender)
  let peakRss = 0
  let peakTreeRss = 0
  const sample = () => {
    if (contender.proxyPid === undefined) return
    const now = sampleTree(contender.proxyPid)
    peakRss = Math.max(peakRss, now.rss)
    peakTreeRss = Math.max(peakTreeRss, now.treeRss)
  }
  const spec = { op, tool: contender.tool, concurrency, warmup: 0, timeLimitMs: plan.timeLimitMs }
  // Warm-up first, as a run of its own, so the CPU readings bracket the measured requests only.
  if (plan.warmup > 0) await load.run(contender.name, { ...spec, requests: plan.warmup })
  const sampler = setInterval(sample, RSS_SAMPLE_MS)
  const before = cpu()
  try {
    const result = await load.run(contender.name, { ...spec, requests: plan.requests(concurrency) })
    const after = cpu()
    sample()
    return {
      result,
      ...(contender.proxyPid !== undefined && { proxyCpuMs: after.proxy - before.proxy }),
      ...((contender.upstreamPid !== undefined || contender.childrenAreUpstreams) && {
        upstreamCpuMs: after.upstream - before.upstream,
      }),
      peakRss,
      peakTreeRss,
    }
  } finally {
    clearInterval(sampler)
  }
}

/** CPU used so far by the proxy and the upstream(s), in milliseconds. */
function cpuOf(contender: Contender): { proxy: number; upstream: number } {
  let proxy = 0
  let upstream = contender.upstreamPid === undefined ? 0 : cpuMsOf(contender.upstreamPid)
  if (contender.proxyPid !== undefined) {
    const tree = sampleTree(contender.proxyPid)
    proxy = tree.cpuMs
    if (contender.childrenAreUpstreams) upstream += tree.treeCpuMs - tree.cpuMs
  }
  for (const pid of contender.replicaPids ?? []) proxy += cpuMsOf(pid)
  return { proxy, upstream }
}

function summarize(
  contender: Contender,
  op: Op,
  concurrency: number,
  runs: Run[],
  pass: number,
): Measurement {
  const byRps = [...runs].sort((a, b) => a.result.rps - b.result.rps)
  const middle = byRps[Math.floor((byRps.length - 1) / 2)] as Run
  /** By repetition; NaN where a run served nothing, or the process was not measured. */
  const cpuPerRequest = (pick: (run: Run) => number | undefined) =>
    runs.map((run) => {
      const ms = pick(run)
      const total = run.result.requests + run.result.errors
      return ms === undefined || total === 0 ? Number.NaN : (ms * 1000) / total
    })
  // CPU per request is steadier than throughput under background load: the median over every run.
  const medianOf = (values: number[]) => {
    const measured = values.filter(Number.isFinite)
    return measured.length > 0 ? median(measured) : undefined
  }
  const repProxyCpu = cpuPerRequest((run) => run.proxyCpuMs)
  const proxyCpu = medianOf(repProxyCpu)
  const upstreamCpu = medianOf(cpuPerRequest((run) => run.upstreamCpuMs))
  const firstError = runs.find((run) => run.result.firstError)?.result.firstError
  return {
    target: contender.name,
    op,
    concurrency,
    rps: middle.result.rps,
    p50: middle.result.p50,
    p90: middle.result.p90,
    p99: middle.result.p99,
    repRps: runs.map((run) => run.result.rps),
    rpsSpread: spread(runs.map((run) => run.result.rps)),
    requests: runs.reduce((sum, run) => sum + run.result.requests, 0),
    errors: runs.reduce((sum, run) => sum + run.result.errors, 0),
    ...(firstError && { firstError }),
    timedOut: runs.some((run) => run.result.timedOut),
    loadCpuUsPerRequest: medianOf(runs.map((run) => run.result.loadCpuUsPerRequest)) ?? Number.NaN,
    ...(proxyCpu !== undefined && { proxyCpuUsPerRequest: proxyCpu, repProxyCpuUsPerRequest: repProxyCpu }),
    ...(upstreamCpu !== undefined && { upstreamCpuUsPerRequest: upstreamCpu }),
    pass,
    ...(contender.proxyPid !== undefined && {
      peakRss: Math.max(...runs.map((run) => run.peakRss)),
      peakTreeRss: Math.max(...runs.map((run) => run.peakTreeRss)),
    }),
  }
}

/**
 * The order of one repetition: reversed every other repetition, and moved on by one place every
 * two. Over 2n repetitions each of n contenders takes every place twice and follows either
 * neighbour, so what one run leaves behind (a last export, a collection) does not always land on
 * the same next contender.
 */
function turnOrder<T>(items: T[], rep: number): T[] {
  return rotate(rep % 2 === 0 ? items : [...items].reverse(), Math.floor(rep / 2))
}

function rotate<T>(items: T[], by: number): T[] {
  const shift = by % items.length
  return [...items.slice(shift), ...items.slice(0, shift)]
}
