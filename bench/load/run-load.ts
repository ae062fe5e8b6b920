import { quantile } from '../lib/stats.ts'
import { type Op, runOp, type Session } from './session.ts'

export interface LoadSpec {
  op: Op
  tool: string
  concurrency: number
  requests: number
  /** Requests run first at the same concurrency and not measured (JIT, connection pools). */
  warmup: number
  /** A run stops early (and says so) after this long. */
  timeLimitMs: number
}

export interface LoadResult {
  requests: number
  errors: number
  firstError?: string
  timedOut: boolean
  wallMs: number
  rps: number
  p50: number
  p90: number
  p99: number
  meanMs: number
  /** CPU time the load generator itself spent, per request, in microseconds. */
  loadCpuUsPerRequest: number
}

/**
 * A closed loop per client: `concurrency` sessions each send their next request as soon as the last
 * one is answered, until `requests` have been sent in all or the time limit is reached.
 */
export async function runLoad(sessions: Session[], spec: LoadSpec): Promise<LoadResult> {
  if (sessions.length < spec.concurrency) throw new Error(`only ${sessions.length} sessions are open`)
  if (spec.warmup > 0) await drive(sessions, { ...spec, requests: spec.warmup })
  return drive(sessions, spec)
}

async function drive(sessions: Session[], spec: LoadSpec): Promise<LoadResult> {
  const latencies = new Float64Array(spec.requests)
  let issued = 0
  let done = 0
  let errors = 0
  let firstError: string | undefined
  let timedOut = false
  const cpuBefore = process.cpuUsage()
  const started = performance.now()
  const deadline = started + spec.timeLimitMs
  const client = async (session: Session) => {
    while (issued < spec.requests) {
      if (performance.now() > deadline) {
        timedOut = true
        return
      }
      const sequence = issued++
      const sent = performance.now()
      try {
        await runOp(session, spec.op, spec.tool, sequence)
        latencies[done++] = performance.now() - sent
      } catch (error) {
        errors++
        firstError ??= error instanceof Error ? error.message : String(error)
      }
    }
  }
  await Promise.all(sessions.slice(0, spec.concurrency).map(client))
  const wallMs = performance.now() - started
  const cpu = process.cpuUsage(cpuBefore)
  const sorted = latencies.subarray(0, done).sort()
  let total = 0
  for (const latency of sorted) total += latency
  return {
    requests: done,
    errors,
    ...(firstError && { firstError }),
    timedOut,
    wallMs,
    rps: (done / wallMs) * 1000,
    p50: quantile(sorted, 0.5),
    p90: quantile(sorted, 0.9),
    p99: quantile(sorted, 0.99),
    meanMs: done ? total / done : Number.NaN,
    loadCpuUsPerRequest: done ? (cpu.user + cpu.system) / done : Number.NaN,
  }
}
