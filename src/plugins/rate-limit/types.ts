/** What a store says about one request. */
export interface RateLimitHit {
  /** The request fits in the window; it was counted. Refused requests are not counted. */
  allowed: boolean
  /** Requests counted in the window, this one included when allowed. */
  count: number
  /** Milliseconds until the oldest counted request leaves the window, freeing a slot. */
  resetMs: number
}

/** The window a store enforces, and the time of the request. */
export interface RateLimitRule {
  limit: number
  windowMs: number
  /** Milliseconds since the epoch. */
  now: number
}

/**
 * Where request timestamps live: `memoryStore()` for one instance, `redisStore()` to share the
 * limit between instances. `hit` must check and count atomically.
 */
export interface RateLimitStore {
  hit(key: string, rule: RateLimitRule): Promise<RateLimitHit>
  /** Releases the store's connections (called when the plugin closes). */
  close?(): Promise<void>
}

export interface RateLimitOptions {
  /** Requests allowed per window, per client key. */
  limit: number
  /** The sliding window, in milliseconds. */
  windowMs: number
  /**
   * Who shares a limit: each client IP (the default), each authenticated identity
   * (`ctx.identity`, so the auth plugin must come first; clients without one are limited by IP),
   * or everyone together.
   */
  keyBy?: 'ip' | 'key' | 'global'
  /**
   * Read the client IP from `X-Forwarded-For` instead of the socket: `true` trusts one proxy in
   * front (the rightmost entry), a number trusts that many hops. Only behind proxies you run.
   */
  trustProxy?: boolean | number
  /** IPv6 clients are limited per network of this prefix length (default 64; 128 = per address). */
  ipv6Subnet?: number
  /**
   * Only requests to these virtual servers (`/mcp/<name>`) are limited, each server counted apart:
   * stack one plugin per set of servers to give them different limits. Default: every request,
   * whichever server it addresses, counted together.
   */
  servers?: string[]
  /** Default: an in-memory store of at most 10,000 keys. */
  store?: RateLimitStore
  /** The clock, in milliseconds (default `Date.now`); for tests. */
  now?: () => number
}
