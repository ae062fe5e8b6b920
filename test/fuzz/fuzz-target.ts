/**
 * A proxy to fuzz, in front of one well-behaved upstream, with what every fuzz file needs: a live
 * 2025-era session, the bookkeeping to close every session the fuzz opened, and the final checks
 * (a real client is still served, memory is sane, no session is left behind).
 */
import { expect, test } from 'bun:test'
import fc from 'fast-check'
import { type RunningFixture, serveV1Http } from '../fixtures/v1-server.ts'
import { connectClient } from '../helpers/clients.ts'
import { startProxy, type TestProxy } from '../helpers/start-proxy.ts'
import { waitFor } from '../helpers/wait.ts'
import { ANSWER_LIMIT_MS, exchange, type Outcome, type Probe } from './exchange.ts'
import { answerProblems, describeOutcome } from './verdict.ts'

export const JSON_AND_SSE = 'application/json, text/event-stream'
export const MODERN = '2026-07-28'

/** The per-request envelope a 2026-07-28 request carries in `params._meta`. */
export const MODERN_ENVELOPE = {
  'io.modelcontextprotocol/protocolVersion': MODERN,
  'io.modelcontextprotocol/clientInfo': { name: 'fuzz', version: '1' },
  'io.modelcontextprotocol/clientCapabilities': {},
}

const INITIALIZE = JSON.stringify({
  jsonrpc: '2.0',
  id: 0,
  method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'fuzz', version: '1' } },
})

export interface Memory {
  rssMiB: number
  heapMiB: number
}

/** After a fuzz run, within these of the baseline: the heap must not keep what the run sent. */
export const SANE_GROWTH = { rssMiB: 200, heapMiB: 64 }

export interface FuzzTarget {
  proxy: TestProxy
  upstream: RunningFixture
  /** `http://127.0.0.1:port`, no path. */
  base: string
  /** A live, initialized 2025-era session. */
  sessionId: string
  /** Sends one probe and returns what is wrong with the answer (`[]` when nothing is). */
  check(probe: Probe, limitMs?: number): Promise<string[]>
  /** Runs a property with a fixed seed, printing the seed so a failure can be replayed. */
  assertProperty<T>(
    name: string,
    arbitrary: fc.Arbitrary<T>,
    toProbe: (value: T) => Probe,
    runs: number,
    seed: number,
  ): Promise<void>
  /** RSS and JS heap in use, in MiB, after a full GC and a moment for the allocator to settle. */
  memory(): Promise<Memory>
  /** Deletes every session the fuzz opened, then checks that none is left. */
  closeSessions(): Promise<void>
  /** A real SDK client of each era: initialize, tools/list, tools/call. */
  assertStillServes(): Promise<void>
  stop(): Promise<void>
}

export async function startFuzzTarget(options: { maxBodyBytes: number }): Promise<FuzzTarget> {
  const upstream = serveV1Http({ name: 'alpha' })
  const proxy = await startProxy({
    upstreams: [{ id: 'alpha', url: upstream.url }],
    maxBodyBytes: options.maxBodyBytes,
  })
  const base = proxy.url.replace(/\/mcp$/, '')
  const opened = new Set<string>()
  const headers = { 'content-type': 'application/json', accept: JSON_AND_SSE }

  const initialized = await exchange(base, { method: 'POST', path: '/mcp', headers, body: INITIALIZE })
  const sessionId = initialized.sessionId as string
  opened.add(sessionId)
  await exchange(base, {
    method: 'POST',
    path: '/mcp',
    headers: { ...headers, 'mcp-session-id': sessionId },
    body: '{"jsonrpc":"2.0","method":"notifications/initialized"}',
  })

  const check = async (probe: Probe, limitMs = ANSWER_LIMIT_MS): Promise<string[]> => {
    const outcome: Outcome = await exchange(base, probe, limitMs)
    if (outcome.sessionId) opened.add(outcome.sessionId)
    const problems = answerProblems(outcome, limitMs)
    return problems.length ? [describeOutcome(outcome, problems)] : []
  }

  return {
    proxy,
    upstream,
    base,
    sessionId,
    check,
    assertProperty: async (name, arbitrary, toProbe, runs, seed) => {
      console.log(`[fuzz] ${name}: seed=${seed} numRuns=${runs}`)
      await fc.assert(
        fc.asyncProperty(arbitrary, async (value) => {
          const problems = await check(toProbe(value))
          if (problems.length) throw new Error(problems.join('\n'))
        }),
        // No shrinking: every run is a network exchange; the seed and path replay the failure.
        { seed, numRuns: runs, endOnFailure: true },
      )
    },
    memory: async () => {
      Bun.gc(true)
      await Bun.sleep(500)
      Bun.gc(true)
      const { rss, heapUsed } = process.memoryUsage()
      return { rssMiB: Math.round(rss / 2 ** 20), heapMiB: Math.round(heapUsed / 2 ** 20) }
    },
    closeSessions: async () => {
      await Promise.all(
        [...opened].map((id) =>
          fetch(proxy.url, { method: 'DELETE', headers: { 'mcp-session-id': id } }).then((r) => r.text()),
        ),
      )
      opened.clear()
      await waitFor(() => proxy.proxy.status().sessions === 0, 'every session to close', 5_000).catch(
        () => {},
      )
      expect(proxy.proxy.status().sessions).toBe(0)
    },
    assertStillServes: async () => {
      for (const era of ['legacy', 'modern'] as const) {
        const client = await connectClient(proxy.url, { era })
        const { tools } = await client.listTools()
        expect(tools.map((tool) => tool.name)).toContain('echo')
        const result = await client.callTool({ name: 'echo', arguments: { text: 'still here' } })
        expect(result.content).toEqual([{ type: 'text', text: 'alpha:still here' }])
        await (client.transport as { terminateSession?: () => Promise<void> }).terminateSession?.()
        await client.close()
      }
    },
    stop: async () => {
      await proxy.stop()
      await upstream.close()
    },
  }
}

/**
 * The checks that end every fuzz file, as tests of their own: a real client is still served, no
 * session the fuzz opened outlives its DELETE (or the stream that held it), memory is sane.
 */
export function testAftermath(name: string, state: () => { target: FuzzTarget; baseline: Memory }): void {
  test('after the fuzz a real client of either era is still served', async () => {
    await state().target.assertStillServes()
  })
  test('after the fuzz no session is left behind once every session the fuzz opened is closed', async () => {
    await state().target.closeSessions()
  })
  test('after the fuzz memory is back near its baseline', async () => {
    const { target, baseline } = state()
    const after = await target.memory()
    console.log(
      `[fuzz] ${name}: rss ${baseline.rssMiB} -> ${after.rssMiB} MiB, heap ${baseline.heapMiB} -> ${after.heapMiB} MiB`,
    )
    expect(after.rssMiB - baseline.rssMiB).toBeLessThan(SANE_GROWTH.rssMiB)
    expect(after.heapMiB - baseline.heapMiB).toBeLessThan(SANE_GROWTH.heapMiB)
  })
}
