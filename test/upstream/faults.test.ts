import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type RunningFixture, serveV1Http } from '../fixtures/v1-server.ts'
import { connectClient } from '../helpers/clients.ts'
import { startProxy, type TestProxy } from '../helpers/start-proxy.ts'
import { fixturePids, stdioFixture } from '../helpers/stdio-fixture.ts'
import { freePort, waitFor } from '../helpers/wait.ts'

test('an upstream that is down at start comes up later: its tools appear and clients hear list_changed', async () => {
  const port = freePort()
  const steady = serveV1Http({ name: 'steady' })
  const proxy = await startProxy({
    upstreams: [
      { id: 'steady', url: steady.url },
      { id: 'late', url: `http://127.0.0.1:${port}/mcp` },
    ],
  })
  let listChanged = 0
  const client = await connectClient(proxy.url, {
    setup: (c) =>
      c.setNotificationHandler('notifications/tools/list_changed', async () => void listChanged++),
  })
  expect((await client.listTools()).tools.map((tool) => tool.name)).not.toContain('late_only')
  expect(proxy.logs.some((line) => line.startsWith("warn: upstream 'late' is unavailable"))).toBe(true)
  const late = serveV1Http({ name: 'late', port })
  await waitFor(() => listChanged > 0, 'list_changed after the late upstream came up')
  expect((await client.callTool({ name: 'late_only', arguments: {} })).content).toEqual([
    { type: 'text', text: 'late' },
  ])
  await client.close()
  await proxy.stop()
  await Promise.all([steady.close(), late.close()])
})

describe('a stdio upstream killed mid-session', () => {
  let steady: RunningFixture
  let proxy: TestProxy
  // While this file exists the fixture refuses to start: the proxy's restarts fail until it is gone.
  const downMarker = join(mkdtempSync(join(tmpdir(), 'proxmcp-down-')), 'down')
  beforeAll(async () => {
    steady = serveV1Http({ name: 'steady2' })
    proxy = await startProxy({
      upstreams: [
        { id: 'steady', url: steady.url },
        { id: 'fragile', command: [...stdioFixture('fragile'), '--down-while', downMarker] },
      ],
    })
  })
  afterAll(async () => {
    await proxy.stop()
    await steady.close()
  })

  test('fails the calls it owns with its id, while the others keep serving, then comes back', async () => {
    const client = await connectClient(proxy.url)
    expect((await client.callTool({ name: 'fragile_only', arguments: {} })).content).toEqual([
      { type: 'text', text: 'fragile' },
    ])
    const pids = fixturePids('fragile')
    expect(pids.length).toBeGreaterThanOrEqual(2)
    writeFileSync(downMarker, '')
    for (const pid of pids) process.kill(pid, 'SIGKILL')
    await waitFor(() => fixturePids('fragile').length === 0, 'the killed processes to be gone')

    const failure = await client.callTool({ name: 'fragile_only', arguments: {} }).catch((error) => error)
    // Unavailable once the proxy has seen the process exit; a call that wins that race fails writing to its pipe.
    expect(failure.message).toMatch(/upstream 'fragile' (is unavailable|failed: EPIPE)/)
    expect(failure.code).toBe(-32010)
    expect((await client.callTool({ name: 'steady2_only', arguments: {} })).content).toEqual([
      { type: 'text', text: 'steady2' },
    ])

    rmSync(downMarker)
    await waitFor(
      () => proxy.proxy.status().upstreams.find((upstream) => upstream.id === 'fragile')?.state === 'up',
      'restart',
    )
    const again = await waitFor(
      () => client.callTool({ name: 'fragile_only', arguments: {} }).catch(() => undefined),
      'a call to the restarted upstream',
    )
    expect(again?.content).toEqual([{ type: 'text', text: 'fragile' }])
    await client.close()
  })
})

test('an HTTP upstream that goes away mid-call fails that call with its id; the proxy keeps serving', async () => {
  const doomed = serveV1Http({ name: 'doomed' })
  const steady = serveV1Http({ name: 'steady3' })
  const proxy = await startProxy({
    upstreams: [
      { id: 'doomed', url: doomed.url },
      { id: 'steady', url: steady.url },
    ],
  })
  const client = await connectClient(proxy.url)
  const pending = client.callTool({ name: 'wait', arguments: { ms: 60_000 } }).catch((error) => error)
  await waitFor(() => doomed.sessions() >= 2, 'the call to reach the doomed upstream')
  const startedAt = Date.now()
  await doomed.close()
  const failure = await pending
  expect(failure.message).toContain("upstream 'doomed'")
  expect(Date.now() - startedAt).toBeLessThan(10_000)
  expect((await client.callTool({ name: 'steady3_only', arguments: {} })).content).toEqual([
    { type: 'text', text: 'steady3' },
  ])
  await client.close()
  await proxy.stop()
  await steady.close()
})

test('stopping the proxy leaves no stdio upstream process behind', async () => {
  const proxy = await startProxy({ upstreams: [{ id: 'reaped', command: stdioFixture('reaped') }] })
  const client = await connectClient(proxy.url)
  await client.callTool({ name: 'reaped_only', arguments: {} })
  expect(fixturePids('reaped').length).toBeGreaterThanOrEqual(2)
  await client.close()
  await proxy.stop()
  await waitFor(() => fixturePids('reaped').length === 0, 'every stdio process to end', 5_000)
})
