import { describe, expect, test } from 'bun:test'
import type { RateLimitStore } from '../../src/index.ts'

const rule = (now: number) => ({ limit: 3, windowMs: 1_000, now })

/** The sliding-window math at its edges, for any store: 3 requests per 1,000 ms, on a fake clock. */
export function describeSlidingWindow(name: string, makeStore: () => RateLimitStore): void {
  describe(`${name}: sliding window`, () => {
    test('counts up to the limit, then refuses until the oldest request leaves the window', async () => {
      const store = makeStore()
      const key = crypto.randomUUID()
      const hits = []
      for (const now of [0, 100, 200, 300, 999, 1_000, 1_099, 1_100])
        hits.push(await store.hit(key, rule(now)))
      expect(hits.map((hit) => [hit.allowed, hit.count, hit.resetMs])).toEqual([
        [true, 1, 1_000],
        [true, 2, 900],
        [true, 3, 800],
        [false, 3, 700],
        [false, 3, 1],
        // At 1,000 the request of time 0 has left: the window is (now - 1000, now].
        [true, 3, 100],
        [false, 3, 1],
        [true, 3, 100],
      ])
    })

    test('a burst at the end of one minute is still counted at the start of the next (no fixed windows)', async () => {
      const store = makeStore()
      const key = crypto.randomUUID()
      for (const now of [900, 950, 999]) expect((await store.hit(key, rule(now))).allowed).toBe(true)
      expect((await store.hit(key, rule(1_000))).allowed).toBe(false)
      expect((await store.hit(key, rule(1_899))).allowed).toBe(false)
      expect((await store.hit(key, rule(1_900))).allowed).toBe(true)
    })

    test('refused requests are not counted, so hammering does not extend the wait', async () => {
      const store = makeStore()
      const key = crypto.randomUUID()
      for (const now of [0, 1, 2]) await store.hit(key, rule(now))
      for (let now = 10; now < 1_000; now += 10) expect((await store.hit(key, rule(now))).allowed).toBe(false)
      expect((await store.hit(key, rule(1_000))).allowed).toBe(true)
    })

    test('keys are limited separately', async () => {
      const store = makeStore()
      const [first, second] = [crypto.randomUUID(), crypto.randomUUID()]
      for (const now of [0, 1, 2]) await store.hit(first, rule(now))
      expect((await store.hit(first, rule(3))).allowed).toBe(false)
      expect((await store.hit(second, rule(3))).allowed).toBe(true)
    })
  })
}
