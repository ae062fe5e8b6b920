import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { type RedisRateLimitStore, rateLimitPlugin, redisStore } from '../../src/index.ts'
import { type RunningFixture, serveV1Http } from '../fixtures/v1-server.ts'
import { postRpc } from '../helpers/mcp-http.ts'
import { type RedisServer, redisUnavailable, startRedis } from '../helpers/redis-server.ts'
import { describeSlidingWindow } from '../helpers/sliding-window-cases.ts'
import { startProxy, type TestProxy } from '../helpers/start-proxy.ts'
import { freePort } from '../helpers/wait.ts'

if (redisUnavailable) console.warn(`Redis store tests skipped: ${redisUnavailable}`)

describe.skipIf(Boolean(redisUnavailable))('redis store', () => {
  let redis: RedisServer
  const stores: RedisRateLimitStore[] = []
  const store = (prefix = `test:${crypto.randomUUID()}:`) => {
    const created = redisStore({ url: redis.url, prefix })
    stores.push(created)
    return created
  }
  beforeAll(async () => {
    redis = await startRedis()
  })
  afterAll(async () => {
    for (const created of stores) await created.close()
    await redis.stop()
  })

  describeSlidingWindow('redis store', () => store())

  describe('two proxy instances on one Redis', () => {
    let alpha: RunningFixture
    let proxies: TestProxy[]
    beforeAll(async () => {
      alpha = serveV1Http({ name: 'alpha' })
      const prefix = `shared:${crypto.randomUUID()}:`
      proxies = await Promise.all(
        [1, 2].map(() =>
          startProxy({
            upstreams: [{ id: 'alpha', url: alpha.url }],
            plugins: [rateLimitPlugin({ limit: 4, windowMs: 60_000, keyBy: 'ip', store: store(prefix) })],
          }),
        ),
      )
    })
    afterAll(async () => {
      for (const proxy of proxies) await proxy.stop()
      await alpha.close()
    })

    test('share one limit: requests to either count against both', async () => {
      const [first, second] = proxies.map((proxy) => proxy.url) as [string, string]
      for (const url of [first, second, first, second]) expect((await postRpc(url)).status).not.toBe(429)
      for (const url of [first, second]) {
        const refused = await postRpc(url)
        expect(refused.status).toBe(429)
        expect(refused.headers.get('ratelimit-limit')).toBe('4')
        expect(refused.headers.get('ratelimit-remaining')).toBe('0')
        expect(Number(refused.headers.get('retry-after'))).toBeWithin(1, 61)
        expect(refused.headers.get('ratelimit-policy')).toBe('4;w=60')
      }
    })
  })

  test('many requests at once are counted atomically: exactly the limit gets through', async () => {
    const shared = store()
    const hits = await Promise.all(
      Array.from({ length: 50 }, () => shared.hit('burst', { limit: 20, windowMs: 60_000, now: Date.now() })),
    )
    expect(hits.filter((hit) => hit.allowed)).toHaveLength(20)
  })

  test('an unreachable Redis fails requests fast with 500, logged, rather than lifting the limit', async () => {
    const alpha = serveV1Http({ name: 'alpha' })
    const dead = redisStore({ url: `redis://127.0.0.1:${freePort()}` })
    const proxy = await startProxy({
      upstreams: [{ id: 'alpha', url: alpha.url }],
      plugins: [rateLimitPlugin({ limit: 4, windowMs: 60_000, store: dead })],
    })
    const started = performance.now()
    expect((await postRpc(proxy.url)).status).toBe(500)
    expect(performance.now() - started).toBeLessThan(5_000)
    expect(proxy.logs.some((line) => line.startsWith("error: plugin 'rate-limit' failed in onRequest"))).toBe(
      true,
    )
    await dead.close()
    await proxy.stop()
    await alpha.close()
  })
})
