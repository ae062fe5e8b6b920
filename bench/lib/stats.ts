/** The q-quantile (0..1) of ascending-sorted values, by nearest rank. */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return Number.NaN
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))
  return sorted[rank] as number
}

export function median(values: number[]): number {
  return quantile(
    [...values].sort((a, b) => a - b),
    0.5,
  )
}

/** Spread of repeated measurements, as (max - min) / max: the noise a ratio has to be read against. */
export function spread(values: number[]): number {
  const max = Math.max(...values)
  return max > 0 ? (max - Math.min(...values)) / max : 0
}
