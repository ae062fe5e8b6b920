/**
 * Load: thousands of sessions opened and closed against an in-process proxy with an HTTP upstream
 * (2,000 2025-era sessions by raw initialize + DELETE, in batches of 50, every 10th calling a tool
 * first; then 2,000 sessionless 2026-07-28 requests). Memory must return near its baseline, and
 * every session, downstream and upstream, must be gone at the end.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test'
import { type RunningFixture, serveV1Http } from '../fixtures/v1-server.ts'
import { startProxy, type TestProxy } from '../helpers/start-proxy.ts'
import { waitFor } from '../helpers/wait.ts'
import { callEcho, deleteSession, modernRequest, openSession } from './raw-session.ts'

const SESSIONS = 2_000
const MODERN_REQUESTS = 2_000
const BATCH = 50
/** Every n-th session calls a tool, which opens its own upstream session. */
const CALL_EVERY = 10
/** How far above its baseline RSS may stay once everything is closed. */
const TOLERANCE_MIB = 30

let alpha: RunningFixture
let proxy: TestProxy

beforeAll(async () => {
  alpha = serveV1Http({ name: 'alpha' })
  proxy = await startProxy({ upstreams: [{ id: 'alpha', url: alpha.url }] })
})
afterAll(async () => {
  await proxy.stop()
  await alpha.close()
})

async function memory(): Promise<{ rssMiB: number; heapMiB: number }> {
  Bun.gc(true)
  await Bun.sleep(300)
  Bun.gc(true)
  const { rss, heapUsed } = process.memoryUsage()
  return { rssMiB: Math.round(rss / 2 ** 20), heapMiB: Math.round(heapUsed / 2 ** 20) }
}

function currentRssMiB(): number {
  return Math.round(process.memoryUsage().rss / 2 ** 20)
}

test(`${SESSIONS} 2025-era sessions and ${MODERN_REQUESTS} 2026-07-28 requests leave memory and sessions at baseline`, async () => {
  // Warm up, so the baseline holds what any first request allocates once.
  for (let index = 0; index < BATCH; index++) {
    const sessionId = await openSession(proxy.url, index)
    await callEcho(proxy.url, sessionId, 'warm')
    await deleteSession(proxy.url, sessionId)
    await modernRequest(proxy.url, index)
  }
  await waitFor(() => alpha.sessions() === 1, 'warm-up upstream sessions to close', 10_000)
  const upstreamBaseline = alpha.sessions()
  const baseline = await memory()
  let peakRss = baseline.rssMiB
  let peakSessions = 0
  let peakUpstreamSessions = 0
  let calls = 0

  const startedAt = performance.now()
  for (let first = 0; first < SESSIONS; first += BATCH) {
    const batch = Array.from({ length: BATCH }, (_, offset) => first + offset)
    const ids = await Promise.all(batch.map((index) => openSession(proxy.url, index)))
    await Promise.all(
      ids.map((sessionId, offset) => {
        const index = first + offset
        if (index % CALL_EVERY !== 0) return undefined
        calls++
        return callEcho(proxy.url, sessionId, `s${index}`)
      }),
    )
    peakSessions = Math.max(peakSessions, proxy.proxy.status().sessions)
    peakUpstreamSessions = Math.max(peakUpstreamSessions, alpha.sessions())
    peakRss = Math.max(peakRss, currentRssMiB())
    await Promise.all(ids.map((sessionId) => deleteSession(proxy.url, sessionId)))
  }
  const legacyMs = performance.now() - startedAt

  const modernStartedAt = performance.now()
  for (let first = 0; first < MODERN_REQUESTS; first += BATCH) {
    await Promise.all(Array.from({ length: BATCH }, (_, offset) => modernRequest(proxy.url, first + offset)))
    peakRss = Math.max(peakRss, currentRssMiB())
  }
  const modernMs = performance.now() - modernStartedAt

  await waitFor(() => proxy.proxy.status().sessions === 0, 'every downstream session to close', 10_000).catch(
    () => {},
  )
  await waitFor(() => alpha.sessions() <= upstreamBaseline, 'every upstream session to close', 10_000).catch(
    () => {},
  )
  const after = await memory()
  console.log(
    [
      `[load] ${SESSIONS} 2025-era sessions (batches of ${BATCH}, ${calls} with a tools/call) in ${Math.round(legacyMs)} ms ` +
        `(${Math.round((SESSIONS / legacyMs) * 1000)} sessions/s); peak ${peakSessions} open, upstream peak ${peakUpstreamSessions}`,
      `[load] ${MODERN_REQUESTS} 2026-07-28 requests in ${Math.round(modernMs)} ms (${Math.round((MODERN_REQUESTS / modernMs) * 1000)} req/s)`,
      `[load] RSS baseline ${baseline.rssMiB} MiB, peak ${peakRss} MiB, after ${after.rssMiB} MiB (+${after.rssMiB - baseline.rssMiB}); ` +
        `heap ${baseline.heapMiB} -> ${after.heapMiB} MiB`,
      `[load] sessions after: downstream ${proxy.proxy.status().sessions}, upstream ${alpha.sessions()} (baseline ${upstreamBaseline})`,
    ].join('\n'),
  )
  expect(proxy.proxy.status().sessions).toBe(0)
  expect(alpha.sessions()).toBe(upstreamBaseline)
  expect(after.rssMiB - baseline.rssMiB).toBeLessThan(TOLERANCE_MIB)
}, 300_000)
