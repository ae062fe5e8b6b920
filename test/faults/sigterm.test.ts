/**
 * SIGTERM during load: the real CLI in front of an HTTP upstream (a tool that takes ~300 ms) and a
 * stdio upstream, 20 clients calling concurrently, then SIGTERM. Calls that completed must carry
 * correct answers, calls in flight should be drained, the process must exit (0), and no stdio
 * upstream process may be left behind.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import type { Client } from '@modelcontextprotocol/client'
import { type RunningFixture, serveV1Http } from '../fixtures/v1-server.ts'
import { connectClient } from '../helpers/clients.ts'
import { isAlive, waitFor } from '../helpers/wait.ts'
import { type CliProxy, pidsMatching, startCliProxy } from './cli-proxy.ts'
import { type CallRecord, callInLoop, inFlightAt } from './sigterm-load.ts'

const BUN = process.execPath

/** Processes running a fixture under `marker`, other than the proxy (whose --stdio flag names it too). */
function upstreamPids(marker: string, proxy: CliProxy): number[] {
  return pidsMatching(marker).filter((pid) => pid !== proxy.pid)
}

function killAll(pids: number[]): void {
  for (const pid of pids) if (isAlive(pid)) process.kill(pid, 'SIGKILL')
}

describe('SIGTERM while 20 clients are calling', () => {
  const marker = `sigterm${crypto.randomUUID().slice(0, 8)}`
  const records: CallRecord[] = []
  let web: RunningFixture
  let cli: CliProxy
  let sigtermAt = 0
  let exitCode: number | null | 'still running' = 'still running'
  let exitMs = 0
  let leftAfterExit: number[] = []
  let stdioWhileRunning = 0

  beforeAll(async () => {
    web = serveV1Http({ name: 'web' })
    cli = await startCliProxy([
      '--upstream',
      web.url,
      '--stdio',
      `${BUN} test/fixtures/v1-server.ts --name ${marker}`,
    ])
    const clients: Client[] = []
    for (let index = 0; index < 20; index++) {
      clients.push(await connectClient(cli.url, { era: index % 5 === 4 ? 'modern' : 'legacy' }))
    }
    let stopping = false
    const loops = clients.map((client, index) =>
      index % 4 === 3
        ? callInLoop(index, client, `${marker}_only`, {}, () => stopping, records)
        : callInLoop(index, client, 'wait', { ms: 300 }, () => stopping, records),
    )
    await Bun.sleep(2_000)
    stdioWhileRunning = upstreamPids(marker, cli).length
    sigtermAt = performance.now()
    process.kill(cli.pid, 'SIGTERM')
    exitCode = await Promise.race([cli.exited, Bun.sleep(20_000).then(() => 'still running' as const)])
    exitMs = Math.round(performance.now() - sigtermAt)
    stopping = true
    await Promise.race([Promise.all(loops), Bun.sleep(25_000)])
    await waitFor(() => upstreamPids(marker, cli).length === 0, 'stdio upstreams to end', 5_000).catch(
      () => {},
    )
    leftAfterExit = upstreamPids(marker, cli)
    await Promise.all(clients.map((client) => client.close().catch(() => {})))
    const answered = records.filter((record) => record.text !== undefined).length
    const inFlight = inFlightAt(records, sigtermAt)
    console.log(
      `[faults] SIGTERM under load: ${records.length} calls, ${answered} answered, ${inFlight.length} in flight at SIGTERM ` +
        `(${inFlight.filter((record) => record.error).length} of them failed); exit code ${exitCode} after ${exitMs} ms; ` +
        `stdio processes: ${stdioWhileRunning} while running, ${leftAfterExit.length} left after exit`,
    )
    const errors = new Map<string, number>()
    for (const record of records.filter((call) => call.error)) {
      const key = `${record.startedAt < sigtermAt ? 'started before' : 'started after'} SIGTERM: ${record.error}`
      errors.set(key, (errors.get(key) ?? 0) + 1)
    }
    for (const [error, count] of errors) console.log(`[faults]   ${count} x ${error}`)
  }, 90_000)

  afterAll(async () => {
    cli?.kill()
    killAll(upstreamPids(marker, cli))
    await web?.close()
  })

  test('every call that completed got its correct answer', () => {
    const answered = records.filter((record) => record.text !== undefined)
    expect(answered.length).toBeGreaterThan(20)
    for (const record of answered) expect(record.text).toBe(record.tool === 'wait' ? 'waited' : marker)
  })

  test('the process exits with code 0', () => {
    expect(exitCode).toBe(0)
  })

  test('no stdio upstream process is left once the proxy has exited', () => {
    expect(stdioWhileRunning).toBeGreaterThan(0)
    expect(leftAfterExit).toEqual([])
  })

  test('calls in flight at SIGTERM are answered before the proxy exits', () => {
    const inFlight = inFlightAt(records, sigtermAt)
    expect(inFlight.length).toBeGreaterThan(0)
    expect(
      inFlight.filter((record) => record.error).map((record) => `${record.tool}: ${record.error}`),
    ).toEqual([])
  })

  // BUG (graceful shutdown): during the grace period the proxy refuses only new sessions (and
  // sessionless requests), so clients with a session keep starting calls; under steady load it
  // never drains, waits out the whole 8 s grace, then closes every connection: the calls in
  // flight at that moment are cut, and their clients wait for their own timeout.
  test('no call is cut by the shutdown: each is answered or refused with a clear error', () => {
    const cut = records.filter((record) => record.error && !record.error.includes('shutting down'))
    expect(cut.map((record) => `${record.tool}: ${record.error}`)).toEqual([])
  })
})

// Guards the shutdown path: killTree's SIGKILL follows SIGTERM after 2 s on an unref'd timer, and
// the CLI exits as soon as shutdown resolves; it holds only because the stdio transport's close()
// waits up to 2 s for the process to exit, long enough for the SIGKILL to land.
test('a stdio upstream that ignores SIGTERM does not outlive the proxy', async () => {
  const marker = `stubborn${crypto.randomUUID().slice(0, 8)}`
  const cli = await startCliProxy([
    '--stdio',
    `${BUN} test/fixtures/misbehaving-stdio.ts --name ${marker} --ignore-sigterm`,
  ])
  try {
    const client = await connectClient(cli.url)
    expect((await client.callTool({ name: `${marker}_ok`, arguments: {} })).content).toEqual([
      { type: 'text', text: `${marker}:ok` },
    ])
    const running = upstreamPids(marker, cli)
    expect(running.length).toBeGreaterThan(0)
    process.kill(cli.pid, 'SIGTERM')
    const exitCode = await Promise.race([cli.exited, Bun.sleep(20_000).then(() => 'still running')])
    await waitFor(() => upstreamPids(marker, cli).length === 0, 'the stubborn upstream to end', 5_000).catch(
      () => {},
    )
    const left = upstreamPids(marker, cli)
    console.log(
      `[faults] SIGTERM with a stubborn stdio upstream: exit code ${exitCode}, ${left.length} of ${running.length} upstream processes left`,
    )
    expect(left).toEqual([])
    await client.close().catch(() => {})
  } finally {
    cli.kill()
    killAll(upstreamPids(marker, cli))
  }
})
