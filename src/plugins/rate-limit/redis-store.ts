import type { CommandParser } from 'redis'
import { SLIDING_WINDOW_SCRIPT } from './sliding-window-script.ts'
import type { RateLimitStore } from './types.ts'

export interface RedisStoreOptions {
  /** `redis://[[user][:password]@]host[:port][/db]` (or `rediss://` for TLS). */
  url: string
  /** Prefix of every key this store writes (default `proxmcp:rate-limit:`). */
  prefix?: string
}

export interface RedisRateLimitStore extends RateLimitStore {
  /** Closes the connection (opened on the first request). */
  close(): Promise<void>
}

type RedisClient = Awaited<ReturnType<typeof connect>>
type SlidingWindowReply = [allowed: 0 | 1, count: number, resetMs: number]

/**
 * A sliding-window log in Redis, shared by every instance that uses the same server and prefix:
 * one Lua script checks and counts atomically (EVALSHA, falling back to EVAL when the server
 * does not have it cached). Timestamps come from each instance's clock, so keep instances
 * NTP-synced. While Redis is unreachable, requests fail fast with 500 and the error is logged:
 * the limit is never silently lifted. The `redis` package is imported on first use only;
 * bundlers still see that import, so a Workers bundle marks `redis` external (Redis needs TCP).
 *
 * @example
 * ```ts
 * rateLimitPlugin({ limit: 100, windowMs: 60_000, store: redisStore({ url: 'redis://cache:6379' }) })
 * ```
 */
export function redisStore(options: RedisStoreOptions): RedisRateLimitStore {
  const prefix = options.prefix ?? 'proxmcp:rate-limit:'
  let connecting: Promise<RedisClient> | undefined
  const client = () => {
    connecting ??= connect(options.url).catch((error) => {
      connecting = undefined
      throw error
    })
    return connecting
  }
  return {
    async hit(key, { limit, windowMs, now }) {
      const at = Math.floor(now)
      const member = `${at}:${crypto.randomUUID()}`
      const redis = await client()
      const reply = await redis.slidingWindow(`${prefix}${key}`, at, windowMs, limit, member)
      const [allowed, count, resetMs] = reply as SlidingWindowReply
      return { allowed: allowed === 1, count, resetMs }
    },
    async close() {
      const pending = connecting
      connecting = undefined
      await (await pending?.catch(() => undefined))?.close()
    },
  }
}

async function connect(url: string) {
  const { createClient, defineScript } = await import('redis')
  let connected = false
  const client = createClient({
    url,
    // A first connection that fails is reported (the next request tries again); a connection
    // that drops later is re-established with backoff, and requests fail at once meanwhile
    // instead of queueing until Redis is back.
    socket: {
      reconnectStrategy: (retries: number, cause: Error) =>
        connected ? Math.min(100 * 2 ** retries, 5_000) : cause,
    },
    disableOfflineQueue: true,
    scripts: {
      slidingWindow: defineScript({
        SCRIPT: SLIDING_WINDOW_SCRIPT,
        NUMBER_OF_KEYS: 1,
        parseCommand(parser: CommandParser, key: string, ...args: (string | number)[]) {
          parser.pushKey(key)
          parser.push(...args.map(String))
        },
        transformReply: (reply: unknown) => reply as SlidingWindowReply,
      }),
    },
  })
  // Connection errors surface through the commands that fail; unheard, the event would crash the process.
  client.on('error', () => {})
  await client.connect()
  connected = true
  return client
}
