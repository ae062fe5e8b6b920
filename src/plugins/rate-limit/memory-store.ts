import type { RateLimitStore } from './types.ts'

const DEFAULT_MAX_KEYS = 10_000

export interface MemoryStoreOptions {
  /** How many client keys to remember at most (default 10,000). */
  maxKeys?: number
}

/**
 * A sliding-window log in memory: each key keeps the timestamps of its counted requests (at most
 * `limit`), so the count is exact. Keys are kept in least-recently-used order and the oldest is
 * dropped beyond `maxKeys`, bounding memory at `maxKeys × limit` timestamps; a dropped key starts
 * afresh, which only happens to clients that have been quiet longest.
 *
 * @example
 * ```ts
 * rateLimitPlugin({ limit: 60, windowMs: 60_000, store: memoryStore({ maxKeys: 50_000 }) })
 * ```
 */
export function memoryStore(options: MemoryStoreOptions = {}): RateLimitStore {
  const maxKeys = options.maxKeys ?? DEFAULT_MAX_KEYS
  const logs = new Map<string, number[]>()
  return {
    async hit(key, { limit, windowMs, now }) {
      const log = logs.get(key) ?? []
      const expired = countExpired(log, now - windowMs)
      if (expired > 0) log.splice(0, expired)
      const allowed = log.length < limit
      if (allowed) log.push(now)
      // Re-inserting moves the key to the end: Map order is the LRU order.
      logs.delete(key)
      logs.set(key, log)
      if (logs.size > maxKeys) logs.delete(logs.keys().next().value as string)
      return { allowed, count: log.length, resetMs: (log[0] ?? now) + windowMs - now }
    },
  }
}

/** Timestamps at or before `cutoff` have left the window; the log is in arrival order. */
function countExpired(log: number[], cutoff: number): number {
  let count = 0
  while (count < log.length && (log[count] as number) <= cutoff) count++
  return count
}
