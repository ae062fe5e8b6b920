import type { ProxMCPContext, ProxMCPPlugin } from '../types.ts'
import { addressNetwork, clientAddress } from './client-address.ts'
import { memoryStore } from './memory-store.ts'
import { tooManyRequests } from './too-many-requests.ts'
import type { RateLimitOptions } from './types.ts'

/**
 * Limits requests per client in a true sliding window: a sliding-window log, which keeps the
 * time of each counted request, so no client gets more than `limit` requests into any span of
 * `windowMs` (exact, not an estimate; refused requests do not count). Over the limit: 429 with
 * `Retry-After`, `RateLimit-Limit`, `RateLimit-Remaining`, `RateLimit-Reset` and
 * `RateLimit-Policy`. Every request counts: MCP POSTs, GET streams, DELETEs, discovery GETs.
 *
 * Plugin order: with `keyBy: 'key'`, after `authPlugin` (it reads `ctx.identity`); with
 * `keyBy: 'ip'`, before it, so failed authentication attempts are limited too. With `servers`,
 * it limits only requests to those virtual servers, each apart.
 *
 * @example
 * ```ts
 * plugins: [
 *   rateLimitPlugin({ limit: 300, windowMs: 60_000, keyBy: 'ip', trustProxy: true }),
 *   authPlugin({ mode: 'apikey', keys: process.env.PROXMCP_API_KEY! }),
 *   rateLimitPlugin({ limit: 100, windowMs: 60_000, keyBy: 'key' }),
 *   rateLimitPlugin({ limit: 10, windowMs: 60_000, keyBy: 'key', servers: ['ci'] }),
 * ]
 * ```
 */
export function rateLimitPlugin(options: RateLimitOptions): ProxMCPPlugin {
  const { limit, windowMs } = options
  if (!Number.isInteger(limit) || limit < 1)
    throw new Error('rateLimitPlugin: limit must be a whole number ≥ 1')
  if (!Number.isFinite(windowMs) || windowMs < 1) throw new Error('rateLimitPlugin: windowMs must be ≥ 1')
  const store = options.store ?? memoryStore()
  const now = options.now ?? Date.now
  const hops = options.trustProxy === true ? 1 : Number(options.trustProxy ?? 0)
  if (!Number.isInteger(hops) || hops < 0)
    throw new Error('rateLimitPlugin: trustProxy must be true or a hop count')
  const subnet = options.ipv6Subnet ?? 64
  const servers = options.servers && new Set(options.servers)
  if (servers && (servers.size === 0 || [...servers].some((name) => typeof name !== 'string' || name === '')))
    throw new Error('rateLimitPlugin: servers must name at least one virtual server')
  const clientKey = (ctx: ProxMCPContext, request: Request): string => {
    if (options.keyBy === 'global') return 'global'
    if (options.keyBy === 'key' && ctx.identity !== undefined) return `id:${ctx.identity}`
    const address = clientAddress(request, ctx.clientAddress, hops)
    return `ip:${address === undefined ? 'unknown' : addressNetwork(address, subnet)}`
  }
  return {
    name: 'rate-limit',
    async onRequest(ctx, request) {
      if (servers && (ctx.server === undefined || !servers.has(ctx.server))) return undefined
      const key = servers ? `server:${ctx.server}:${clientKey(ctx, request)}` : clientKey(ctx, request)
      const hit = await store.hit(key, { limit, windowMs, now: now() })
      return hit.allowed ? undefined : tooManyRequests(hit, limit, windowMs)
    },
    onClose: () => store.close?.(),
  }
}
