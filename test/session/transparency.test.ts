import { afterAll, beforeAll, expect, test } from 'bun:test'
import type { Client } from '@modelcontextprotocol/client'
import { type RunningFixture, serveV1Http } from '../fixtures/v1-server.ts'
import { type ClientEra, connectClient } from '../helpers/clients.ts'
import { startProxy, type TestProxy } from '../helpers/start-proxy.ts'
import { waitFor } from '../helpers/wait.ts'

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

const ERAS: ClientEra[] = ['legacy', 'modern']

test.each(ERAS)(
  'a sampling request raised during a call is answered by the calling client (%s era)',
  async (era) => {
    const client = await connectClient(proxy.url, {
      era,
      capabilities: { sampling: {} },
      setup: (c) =>
        c.setRequestHandler('sampling/createMessage', async () => ({
          role: 'assistant',
          content: { type: 'text', text: 'hi from the model' },
          model: 'test-model',
        })),
    })
    const result = await client.callTool({ name: 'sample', arguments: {} })
    expect(result.content).toEqual([{ type: 'text', text: 'model said hi from the model' }])
    await client.close()
  },
)

test('roots are asked of the client, and its roots/list_changed reaches the upstream session', async () => {
  const client = await connectClient(proxy.url, {
    capabilities: { roots: { listChanged: true } },
    setup: (c) =>
      c.setRequestHandler('roots/list', async () => ({ roots: [{ uri: 'file:///work', name: 'work' }] })),
  })
  expect((await client.callTool({ name: 'list_roots', arguments: {} })).content).toEqual([
    { type: 'text', text: 'file:///work' },
  ])
  await client.sendRootsListChanged()
  await waitFor(() => alpha.events.includes('roots changed'), 'roots/list_changed upstream')
  await client.close()
})

test.each(ERAS)('two clients at once each answer only their own elicitations (%s era)', async (era) => {
  const answering = (name: string) =>
    connectClient(proxy.url, {
      era,
      capabilities: { elicitation: { form: {} } },
      setup: (c) =>
        c.setRequestHandler('elicitation/create', async () => ({ action: 'accept', content: { name } })),
    })
  const [ada, bob] = await Promise.all([answering('Ada'), answering('Bob')])
  const results = await Promise.all(
    Array.from({ length: 6 }, (_, index) =>
      (index % 2 ? bob : ada)
        .callTool({ name: 'ask_name', arguments: {} })
        .then((result) => [index, result] as const),
    ),
  )
  for (const [index, result] of results) {
    expect(result.content).toEqual([{ type: 'text', text: `hello ${index % 2 ? 'Bob' : 'Ada'}` }])
  }
  await Promise.all([ada.close(), bob.close()])
})

test('logging/setLevel reaches the upstream session and its log messages reach only that client', async () => {
  const heard: { client: string; logger?: string; data: unknown }[] = []
  const listening = (label: string) =>
    connectClient(proxy.url, {
      setup: (c) =>
        c.setNotificationHandler('notifications/message', async (notification) => {
          heard.push({ client: label, logger: notification.params.logger, data: notification.params.data })
        }),
    })
  const [talker, bystander] = await Promise.all([listening('talker'), listening('bystander')])
  await talker.setLoggingLevel('debug')
  await bystander.setLoggingLevel('debug')
  await talker.callTool({ name: 'log', arguments: {} })
  await waitFor(() => heard.length > 0, 'the log message')
  await Bun.sleep(100)
  expect(heard).toEqual([{ client: 'talker', logger: 'alpha', data: 'alpha logged' }])
  await Promise.all([talker.close(), bystander.close()])
})

test('resources/subscribe reaches the owner and notifications/resources/updated come back', async () => {
  const updated: string[] = []
  const client = await connectClient(proxy.url, {
    setup: (c) =>
      c.setNotificationHandler('notifications/resources/updated', async (notification) => {
        updated.push(notification.params.uri)
      }),
  })
  await client.subscribeResource({ uri: 'fixture://alpha/info' })
  expect(alpha.events).toContain('subscribed:fixture://alpha/info')
  await client.callTool({ name: 'touch', arguments: {} })
  await waitFor(() => updated.length > 0, 'resources/updated')
  expect(updated).toEqual(['fixture://alpha/info'])
  await client.unsubscribeResource({ uri: 'fixture://alpha/info' })
  expect(alpha.events).toContain('unsubscribed:fixture://alpha/info')
  await client.close()
})

test.each(ERAS)('cancelling a call cancels it upstream (%s era)', async (era) => {
  const client: Client = await connectClient(proxy.url, { era })
  const before = alpha.events.filter((event) => event === 'aborted').length
  const controller = new AbortController()
  const call = client.callTool({ name: 'wait', arguments: { ms: 20_000 } }, { signal: controller.signal })
  await Bun.sleep(150)
  controller.abort()
  await expect(call).rejects.toThrow()
  await waitFor(
    () => alpha.events.filter((event) => event === 'aborted').length > before,
    'the upstream to see the abort',
  )
  await client.close()
})

test.each(ERAS)('upstream errors pass unchanged: code, message and data (%s era)', async (era) => {
  const client = await connectClient(proxy.url, { era })
  const failure = await client.readResource({ uri: 'fixture://alpha/items/broken' }).catch((error) => error)
  expect(failure.code).toBe(-32099)
  expect(failure.message).toContain('item broken of alpha')
  expect(failure.data).toEqual({ id: 'broken', reason: 'on purpose' })
  await client.close()
})

test.each(ERAS)('request _meta reaches the upstream (%s era)', async (era) => {
  const client = await connectClient(proxy.url, { era })
  const result = await client.callTool({
    name: 'meta_echo',
    arguments: {},
    _meta: { 'example.com/trace': 'abc' },
  })
  expect((result.structuredContent as { received: Record<string, unknown> }).received).toMatchObject({
    'example.com/trace': 'abc',
  })
  await client.close()
})

test.each(ERAS)('a client that disconnects mid-call cancels the call upstream (%s era)', async (era) => {
  const client = await connectClient(proxy.url, { era })
  const before = alpha.events.filter((event) => event === 'aborted').length
  const sessionId = (client.transport as { sessionId?: string } | undefined)?.sessionId
  const body = {
    jsonrpc: '2.0',
    id: 99,
    method: 'tools/call',
    params: {
      name: 'wait',
      arguments: { ms: 20_000 },
      ...(era === 'modern' && {
        _meta: {
          'io.modelcontextprotocol/protocolVersion': '2026-07-28',
          'io.modelcontextprotocol/clientInfo': { name: 'raw', version: '1' },
          'io.modelcontextprotocol/clientCapabilities': {},
        },
      }),
    },
  }
  const disconnect = new AbortController()
  const response = fetch(proxy.url, {
    method: 'POST',
    signal: disconnect.signal,
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      ...(sessionId && { 'mcp-session-id': sessionId }),
      ...(era === 'modern' && {
        'mcp-protocol-version': '2026-07-28',
        'mcp-method': 'tools/call',
        'mcp-name': 'wait',
      }),
    },
    body: JSON.stringify(body),
  }).catch(() => undefined)
  await Bun.sleep(200)
  disconnect.abort()
  await response
  await waitFor(
    () => alpha.events.filter((event) => event === 'aborted').length > before,
    'the upstream to see the abort',
  )
  await client.close()
})
