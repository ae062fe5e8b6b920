/**
 * What cluster mode needs of Redis: hashes with a time to live, and pub/sub. The core sees only
 * this; the Redis client behind it (`RedisBus`) comes from the runtime's entry point, so a
 * Workers bundle never reaches the `redis` package.
 */
export interface ClusterBus {
  /** Sets fields of a hash and (re)starts its time to live, in one round trip. */
  write(key: string, fields: Record<string, string>, ttlMs: number): Promise<void>
  read(key: string): Promise<Record<string, string>>
  remove(key: string, field: string): Promise<void>
  /**
   * Sets a field of an existing hash to `value` if it holds `expected` ('' for none), atomically;
   * resolves to what it holds after ('' when it holds none, or the hash is gone).
   */
  swap(key: string, field: string, expected: string, value: string): Promise<string>
  expire(key: string, ttlMs: number): Promise<void>
  delete(key: string): Promise<void>
  /** Channels someone listens on, of those matching `pattern`. */
  channels(pattern: string): Promise<string[]>
  /** How many replicas heard it. */
  publish(channel: string, message: string): Promise<number>
  /** Resolves once Redis confirms: from then on no message on `channel` is missed. */
  listen(channel: string, listener: (message: string) => void): Promise<void>
  unlisten(channel: string): Promise<void>
  close(): Promise<void>
}

/** Connects to the cluster's Redis (`cluster.redis`). */
export type ConnectClusterBus = (url: string) => Promise<ClusterBus>
