import type { Comparison } from '../cases/case-types.ts'
import type { Measurement } from '../lib/measure.ts'

export interface Ratio {
  comparison: Comparison
  op: string
  concurrency: number
  /** target req/s ÷ baseline req/s */
  throughput: number
  /** target proxy CPU µs/request ÷ baseline's, when both sides are proxies */
  proxyCpu?: number
  /** target p50 − baseline p50, in milliseconds */
  addedP50: number
  /** target p99 − baseline p99, in milliseconds */
  addedP99: number
}

/** Every comparison of a case, at every operation and client count both sides were measured at. */
export function ratios(measurements: Measurement[], comparisons: Comparison[]): Ratio[] {
  const find = (target: string, op: string, concurrency: number) =>
    measurements.find((m) => m.target === target && m.op === op && m.concurrency === concurrency)
  return comparisons.flatMap((comparison) =>
    measurements
      .filter((m) => m.target === comparison.target)
      .flatMap((target) => {
        const baseline = find(comparison.baseline, target.op, target.concurrency)
        if (!baseline) return []
        const cpu = target.proxyCpuUsPerRequest
        const baselineCpu = baseline.proxyCpuUsPerRequest
        return [
          {
            comparison,
            op: target.op,
            concurrency: target.concurrency,
            throughput: target.rps / baseline.rps,
            ...(cpu !== undefined && baselineCpu !== undefined && { proxyCpu: cpu / baselineCpu }),
            addedP50: target.p50 - baseline.p50,
            addedP99: target.p99 - baseline.p99,
          },
        ]
      }),
  )
}
