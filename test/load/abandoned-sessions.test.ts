/**
 * Load: sessions that clients abandon (never DELETE) are reaped once idle, with the upstream
 * sessions they opened, so a crowd of careless clients cannot pin memory for good.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test'
import { type RunningFixture, serveV1Http } from '../fixtures/v1-server.ts'
import { startProxy, type TestProxy } from '../helpers/start-proxy.ts'
import { waitFor } from '../helpers/wait.ts'
import { callEcho, openSession } from './raw-session.ts'

const ABANDONED = 400
const BATCH = 50
const IDLE_MS = 1_000

let alpha: RunningFixture
let proxy: TestProxy

beforeAll(async () => {
  alpha = serveV1Http({ name: 'alpha' })
  proxy = await startProxy({
    upstreams: [{ id: 'alpha', url: alpha.url }],
    sessionIdleTimeoutMs: IDLE_MS,
    maxSessionsPerClient: ABANDONED + BATCH,
  })
})
afterAll(async () => {
  await proxy.stop()
  await alpha.close()
})

test(`${ABANDONED} abandoned sessions are reaped once idle, with their upstream sessions`, async () => {
  const upstreamBaseline = alpha.sessions()
  const startedAt = performance.now()
  for (let first = 0; first < ABANDONED; first += BATCH) {
    const ids = await Promise.all(
      Array.from({ length: BATCH }, (_, offset) => openSession(proxy.url, first + offset)),
    )
    await Promise.all(
      ids.filter((_, offset) => offset % 10 === 0).map((id) => callEcho(proxy.url, id, 'then leave')),
    )
  }
  const openedMs = Math.round(performance.now() - startedAt)
  const open = proxy.proxy.status().sessions
  const upstreamOpen = alpha.sessions()
  await waitFor(() => proxy.proxy.status().sessions === 0, 'idle sessions to be reaped', 15_000).catch(
    () => {},
  )
  await waitFor(() => alpha.sessions() <= upstreamBaseline, 'their upstream sessions to close', 10_000).catch(
    () => {},
  )
  const reapedMs = Math.round(performance.now() - startedAt) - openedMs
  console.log(
    `[load] abandoned: ${open} sessions open (${upstreamOpen - upstreamBaseline} upstream) after ${openedMs} ms; ` +
      `${proxy.proxy.status().sessions} left and ${alpha.sessions() - upstreamBaseline} upstream left ${reapedMs} ms later (idle timeout ${IDLE_MS} ms)`,
  )
  expect(open).toBe(ABANDONED)
  expect(proxy.proxy.status().sessions).toBe(0)
  expect(alpha.sessions()).toBe(upstreamBaseline)
}, 120_000)
