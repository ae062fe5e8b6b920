/**
 * `shareProcess`: one stdio process serves every client session. What the process asks goes to
 * the call in flight, resource updates to the sessions that subscribed, log messages to the
 * sessions whose level admits them.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test'
import type { Client, Notification } from '@modelcontextprotocol/client'
import { resolveConfig } from '../../src/config/resolve.ts'
import { connectClient } from '../helpers/clients.ts'
import { startProxy, type TestProxy } from '../helpers/start-proxy.ts'
import { fixturePids, stdioFixture } from '../helpers/stdio-fixture.ts'
import { waitFor } from '../helpers/wait.ts'

let proxy: TestProxy
const clients: Client[] = []

beforeAll(async () => {
  proxy = await startProxy({
    upstreams: [{ id: 'local', command: stdioFixture('shared-one'), shareProcess: true }],
  })
})
afterAll(async () => {
  await Promise.all(clients.map((client) => client.close()))
  await proxy.stop()
})

/** A 2025-era client that records the notifications it gets. */
async function recordingClient(options: Parameters<typeof connectClient>[1] = {}) {
  const seen: Notification[] = []
  const client = await connectClient(proxy.url, {
    ...options,
    setup: (c) => {
      options.setup?.(c)
      c.setNotificationHandler('notifications/resources/updated', async (n) => void seen.push(n))
      c.setNotificationHandler('notifications/message', async (n) => void seen.push(n))
    },
  })
  clients.push(client)
  return { client, seen }
}

const textOf = (result: { content?: unknown }) => (result.content as { text: string }[])[0]?.text

test('every session is served by the one process', async () => {
  const sessions = await Promise.all([recordingClient(), recordingClient(), recordingClient()])
  for (const { client } of sessions) {
    expect(textOf(await client.callTool({ name: 'echo', arguments: { text: 'hi' } }))).toBe('shared-one:hi')
  }
  expect(fixturePids('shared-one')).toHaveLength(1)
})

test('concurrent calls of several sessions each get their own progress and answer', async () => {
  const sessions = await Promise.all(Array.from({ length: 6 }, () => recordingClient()))
  const results = await Promise.all(
    sessions.map(async ({ client }, index) => {
      const progress: number[] = []
      const result = await client.callTool(
        { name: 'progress', arguments: { steps: index + 1 } },
        { onprogress: (update) => void progress.push(update.progress) },
      )
      return { text: textOf(result), progress }
    }),
  )
  for (const [index, { text, progress }] of results.entries()) {
    expect(text).toBe(`done after ${index + 1} steps`)
    expect(progress).toEqual(Array.from({ length: index + 1 }, (_, step) => step + 1))
  }
})

test('a question the process asks during a call is answered by the calling client', async () => {
  const { client } = await recordingClient({
    capabilities: { sampling: {} },
    setup: (c) =>
      c.setRequestHandler('sampling/createMessage', async () => ({
        role: 'assistant',
        content: { type: 'text', text: 'shared hi' },
        model: 'test-model',
      })),
  })
  expect(textOf(await client.callTool({ name: 'sample', arguments: {} }))).toBe('model said shared hi')
})

test('subscriptions are counted: the process keeps one while any session holds it', async () => {
  const uri = 'fixture://shared-one/info'
  const first = await recordingClient()
  const second = await recordingClient()
  await first.client.subscribeResource({ uri })
  await second.client.subscribeResource({ uri })
  // `touch` answers with how many subscriptions the process itself holds.
  expect(textOf(await first.client.callTool({ name: 'touch', arguments: {} }))).toBe('touched 1')
  await waitFor(() => first.seen.length > 0 && second.seen.length > 0, 'both sessions hear the update')

  await first.client.unsubscribeResource({ uri })
  second.seen.length = 0
  first.seen.length = 0
  expect(textOf(await second.client.callTool({ name: 'touch', arguments: {} }))).toBe('touched 1')
  await waitFor(() => second.seen.length > 0, 'the session still subscribed hears the update')
  expect(first.seen).toEqual([])

  await second.client.unsubscribeResource({ uri })
  expect(textOf(await second.client.callTool({ name: 'touch', arguments: {} }))).toBe('touched 0')
})

test('a log message reaches the sessions whose level admits it', async () => {
  const verbose = await recordingClient()
  const quiet = await recordingClient()
  await verbose.client.setLoggingLevel('warning')
  await quiet.client.setLoggingLevel('error')
  await verbose.client.callTool({ name: 'log', arguments: {} })
  await waitFor(() => verbose.seen.length > 0, 'the warning reaches the session at warning')
  expect(verbose.seen[0]?.params).toMatchObject({
    level: 'warning',
    logger: 'local',
    data: 'shared-one logged',
  })
  await quiet.client.callTool({ name: 'echo', arguments: { text: 'after' } })
  expect(quiet.seen).toEqual([])
})

test('shareProcess is refused on an HTTP upstream', () => {
  expect(() =>
    resolveConfig({ upstreams: [{ id: 'web', url: 'http://127.0.0.1:1/mcp', shareProcess: true }] }),
  ).toThrow('upstreams[0].shareProcess: "shareProcess" is for stdio upstreams only')
})
