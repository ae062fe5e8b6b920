import { refusal } from '../refusal.ts'
import type { RateLimitHit } from './types.ts'

/**
 * The 429: `Retry-After` plus the IETF draft `RateLimit-*` fields. With a sliding window,
 * `RateLimit-Reset` (like `Retry-After`) is when the oldest counted request leaves the window.
 */
export function tooManyRequests(hit: RateLimitHit, limit: number, windowMs: number): Response {
  const retryAfter = Math.max(1, Math.ceil(hit.resetMs / 1000))
  const window = Math.ceil(windowMs / 1000)
  return refusal(
    429,
    'rate_limited',
    `Too many requests: the limit is ${limit} per ${window} s; retry in ${retryAfter} s`,
    {
      'retry-after': String(retryAfter),
      'ratelimit-limit': String(limit),
      'ratelimit-remaining': String(Math.max(0, limit - hit.count)),
      'ratelimit-reset': String(retryAfter),
      'ratelimit-policy': `${limit};w=${window}`,
    },
  )
}
