import type { Comparison } from '../cases/case-types.ts'
import type { Measurement } from '../lib/measure.ts'
import { median } from '../lib/stats.ts'

export interface Ratio {
  comparison: Comparison
  op: string
  concurrency: number
  /** target req/s ÷ baseline req/s */
  throughput: number
  /** target proxy CPU µs/request ÷ baseline's, when both sides are proxies (see proxyCpuRatio) */
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
        const cpu = proxyCpuRatio(target, baseline)
        return [
          {
            comparison,
            op: target.op,
            concurrency: target.concurrency,
            throughput: target.rps / baseline.rps,
            ...(cpu !== undefined && { proxyCpu: cpu }),
            addedP50: target.p50 - baseline.p50,
            addedP99: target.p99 - baseline.p99,
          },
        ]
      }),
  )
}

/**
 * The target's proxy CPU per request ÷ the baseline's: the median of each repetition's ratio where
 * both were measured in the same pass (one after the other in every repetition, so that the
 * machine's drift between repetitions cancels), else the ratio of the medians.
 */
export function proxyCpuRatio(target: Measurement, baseline: Measurement): number | undefined {
  const paired =
    target.pass === baseline.pass
      ? pairedRatios(target.repProxyCpuUsPerRequest ?? [], baseline.repProxyCpuUsPerRequest ?? [])
      : []
  if (paired.length > 0) return median(paired)
  const cpu = target.proxyCpuUsPerRequest
  const baselineCpu = baseline.proxyCpuUsPerRequest
  return cpu !== undefined && baselineCpu ? cpu / baselineCpu : undefined
}

/** Each repetition's ratio, where both sides measured something in it. */
export function pairedRatios(own: number[], base: number[]): number[] {
  return own.flatMap((value, rep) => {
    const baseline = base[rep]
    return Number.isFinite(value) && baseline !== undefined && baseline > 0 ? [value / baseline] : []
  })
}
