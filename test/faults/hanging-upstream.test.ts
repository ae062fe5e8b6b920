/**
 * Fault (a): an upstream that never answers tools/call. With `timeoutMs: 300` the proxy must
 * answer -32011 naming the upstream within about a second, keep serving the other upstream, and
 * let go of the abandoned upstream request.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test'
import { type RunningMisbehaving, serveMisbehaving } from '../fixtures/misbehaving-server.ts'
import { type RunningFixture, serveV1Http } from '../fixtures/v1-server.ts'
import { connectClient } from '../helpers/clients.ts'
import { startProxy, type TestProxy } from '../helpers/start-proxy.ts'
import { waitFor } from '../helpers/wait.ts'

const ERAS = ['legacy', 'modern'] as const
let bad: RunningMisbehaving
let good: RunningFixture
let proxy: TestProxy

beforeAll(async () => {
  bad = serveMisbehaving({ name: 'bad' })
  good = serveV1Http({ name: 'good' })
  proxy = await startProxy({
    upstreams: [
      { id: 'bad', url: bad.url, timeoutMs: 300 },
      { id: 'good', url: good.url },
      {
        id: 'stuck',
        command: [process.execPath, 'test/fixtures/misbehaving-stdio.ts', '--name', 'stuck'],
        timeoutMs: 300,
      },
    ],
  })
})
afterAll(async () => {
  await proxy.stop()
  await Promise.all([bad.close(), good.close()])
})

/** The error a call ends with, and how long it took. */
async function failingCall(era: (typeof ERAS)[number], name: string) {
  const client = await connectClient(proxy.url, { era })
  const startedAt = performance.now()
  const error = await client.callTool({ name, arguments: {} }, { timeout: 10_000 }).then(
    (result) => ({ code: undefined, message: `answered: ${JSON.stringify(result)}`, data: undefined }),
    (failure) => failure as { code?: number; message: string; data?: { upstream?: string } },
  )
  const ms = Math.round(performance.now() - startedAt)
  await client.close()
  return { error, ms }
}

test.each(ERAS)(
  'a call to an HTTP upstream that never answers fails with -32011 naming it within ~1 s (%s era)',
  async (era) => {
    const { error, ms } = await failingCall(era, 'hang')
    console.log(
      `[faults] hang over HTTP (${era}): failed after ${ms} ms with ${error.code}: ${error.message}`,
    )
    expect(error.code).toBe(-32011)
    expect(error.message).toContain("upstream 'bad'")
    expect(error.data?.upstream).toBe('bad')
    expect(ms).toBeLessThan(3_000)
  },
)

test.each(ERAS)(
  'a call to a stdio upstream that never answers fails with -32011 naming it within ~1 s (%s era)',
  async (era) => {
    const { error, ms } = await failingCall(era, 'stuck_hang')
    console.log(`[faults] hang over stdio (${era}): failed after ${ms} ms with ${error.code}`)
    expect(error.code).toBe(-32011)
    expect(error.message).toContain("upstream 'stuck'")
    expect(ms).toBeLessThan(3_000)
  },
)

test('while calls to the hanging upstream wait, the other upstream keeps answering', async () => {
  const waiting = await connectClient(proxy.url)
  const other = await connectClient(proxy.url, { era: 'modern' })
  const hung = Array.from({ length: 5 }, () =>
    waiting.callTool({ name: 'hang', arguments: {} }).catch((e) => e),
  )
  const latencies: number[] = []
  for (let index = 0; index < 10; index++) {
    const startedAt = performance.now()
    const result = await other.callTool({ name: 'echo', arguments: { text: `n${index}` } })
    latencies.push(performance.now() - startedAt)
    expect(result.content).toEqual([{ type: 'text', text: `good:n${index}` }])
  }
  for (const failure of await Promise.all(hung)) expect(failure.code).toBe(-32011)
  console.log(`[faults] echo latency beside a hanging upstream: max ${Math.round(Math.max(...latencies))} ms`)
  expect(Math.max(...latencies)).toBeLessThan(2_000)
  await waiting.close()
  await other.close()
})

// BUG: for a 2025-era upstream the SDK client only sends notifications/cancelled on timeout; the
// POST whose answer never came stays open, one socket per timed-out call, for as long as the
// upstream cares to hold it.
test.each(ERAS)(
  'a call that timed out does not leave its upstream HTTP request open (%s era)',
  async (era) => {
    const before = bad.hanging()
    const { error } = await failingCall(era, 'hang')
    expect(error.code).toBe(-32011)
    await waitFor(() => bad.hanging() <= before, 'the upstream request to be released', 5_000).catch(() => {})
    expect(bad.hanging()).toBeLessThanOrEqual(before)
  },
)
