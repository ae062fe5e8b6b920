export { type MemoryStoreOptions, memoryStore } from './memory-store.ts'
export { rateLimitPlugin } from './rate-limit-plugin.ts'
export { type RedisRateLimitStore, type RedisStoreOptions, redisStore } from './redis-store.ts'
export type { RateLimitHit, RateLimitOptions, RateLimitRule, RateLimitStore } from './types.ts'
