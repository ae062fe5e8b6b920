import type { RedisClientType } from 'redis'
import type { ClusterBus, ConnectClusterBus } from './cluster-bus.ts'

type Listener = (message: string) => void

const SWAP_SCRIPT = `
if redis.call('EXISTS', KEYS[1]) == 0 then return '' end
local current = redis.call('HGET', KEYS[1], ARGV[1]) or ''
if current == ARGV[2] then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
  return ARGV[3]
end
return current
`

/**
 * The replicas' one shared component: a Redis connection for keys and publishing, and a second
 * one for subscriptions (a subscribed connection can run nothing else). The `redis` package is
 * imported when the cluster starts, so a proxy without cluster mode never loads it.
 */
export class RedisBus implements ClusterBus {
  private readonly listeners = new Map<string, Listener>()

  private constructor(
    private readonly commands: RedisClientType,
    private readonly subscriber: RedisClientType,
  ) {}

  static async connect(url: string): Promise<ClusterBus> {
    const { createClient } = await import('redis')
    let connected = false
    const commands = createClient({
      url,
      // Requests fail at once while Redis is away, instead of queueing until it is back. A first
      // connection that fails is reported (the caller retries); a dropped one is re-established.
      disableOfflineQueue: true,
      socket: {
        reconnectStrategy: (retries: number, cause: Error) =>
          connected ? Math.min(100 * 2 ** retries, 5_000) : cause,
      },
    }) as RedisClientType
    const subscriber = commands.duplicate() as RedisClientType
    // Errors reach the commands that fail; unheard, the event would end the process.
    for (const client of [commands, subscriber]) client.on('error', () => {})
    try {
      await Promise.all([commands.connect(), subscriber.connect()])
    } catch (error) {
      await Promise.allSettled([commands.destroy(), subscriber.destroy()])
      throw error
    }
    connected = true
    return new RedisBus(commands, subscriber)
  }

  async write(key: string, fields: Record<string, string>, ttlMs: number): Promise<void> {
    await this.commands.multi().hSet(key, fields).pExpire(key, ttlMs).exec()
  }

  async read(key: string): Promise<Record<string, string>> {
    return this.commands.hGetAll(key)
  }

  async swap(key: string, field: string, expected: string, value: string): Promise<string> {
    const after = await this.commands.eval(SWAP_SCRIPT, { keys: [key], arguments: [field, expected, value] })
    return typeof after === 'string' ? after : ''
  }

  async remove(key: string, field: string): Promise<void> {
    await this.commands.hDel(key, field)
  }

  async expire(key: string, ttlMs: number): Promise<void> {
    await this.commands.pExpire(key, ttlMs)
  }

  async delete(key: string): Promise<void> {
    await this.commands.del(key)
  }

  channels(pattern: string): Promise<string[]> {
    return this.commands.pubSubChannels(pattern)
  }

  publish(channel: string, message: string): Promise<number> {
    return this.commands.publish(channel, message)
  }

  async listen(channel: string, listener: Listener): Promise<void> {
    const known = this.listeners.has(channel)
    this.listeners.set(channel, listener)
    if (!known) await this.subscriber.subscribe(channel, (message) => this.listeners.get(channel)?.(message))
  }

  async unlisten(channel: string): Promise<void> {
    if (!this.listeners.delete(channel)) return
    await this.subscriber.unsubscribe(channel).catch(() => {})
  }

  async close(): Promise<void> {
    this.listeners.clear()
    await Promise.allSettled([this.subscriber.close(), this.commands.close()])
  }
}

/** Cluster mode's Redis for Bun and Node: `new ProxMCP({ ..., clusterBus: connectRedisBus })`. */
export const connectRedisBus: ConnectClusterBus = (url) => RedisBus.connect(url)
