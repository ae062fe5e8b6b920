import { afterAll, beforeAll, expect, test } from 'bun:test'
import { Client, SSEClientTransport } from '@modelcontextprotocol/client'
import { Client as V1Client } from '@modelcontextprotocol/sdk/client/index.js'
import { SSEClientTransport as V1SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js'
import { type RunningFixture, serveV1Http } from '../fixtures/v1-server.ts'
import { startProxy, type TestProxy } from '../helpers/start-proxy.ts'
import { waitFor } from '../helpers/wait.ts'

let upstream: RunningFixture
let proxy: TestProxy
let sseUrl: URL

beforeAll(async () => {
  // The upstream speaks only Streamable HTTP; the clients only the 2024-11-05 SSE transport.
  upstream = serveV1Http({ name: 'alpha' })
  proxy = await startProxy({ upstreams: [{ id: 'alpha', url: upstream.url }], maxBodyBytes: 64 * 1024 })
  sseUrl = new URL(proxy.url.replace(/\/mcp$/, '/sse'))
})
afterAll(async () => {
  await proxy.stop()
  await upstream.close()
})

/** Upstream sessions once those of earlier tests have ended: the proxy's own shared connection is one. */
async function settledSessions(): Promise<number> {
  await waitFor(() => upstream.sessions() === 1, 'earlier upstream sessions to end')
  return 1
}

async function sseClient(answers: { name?: string } = {}): Promise<Client> {
  const client = new Client(
    { name: 'sse-client', version: '1.0.0' },
    { capabilities: { sampling: {}, elicitation: { form: {} } } },
  )
  client.setRequestHandler('sampling/createMessage', async () => ({
    role: 'assistant',
    content: { type: 'text', text: 'sampled' },
    model: 'test',
  }))
  client.setRequestHandler('elicitation/create', async () => ({
    action: 'accept',
    content: { name: answers.name ?? 'Ada' },
  }))
  await client.connect(new SSEClientTransport(sseUrl))
  return client
}

test('an SSE client lists and calls tools, gets progress and a sampling request, and leaves no upstream session', async () => {
  const baseline = await settledSessions()
  const client = await sseClient()
  expect((await client.listTools()).tools.map((tool) => tool.name)).toContain('alpha_only')
  expect(
    (await client.callTool({ name: 'echo', arguments: { text: 'over sse' } })).structuredContent,
  ).toEqual({
    text: 'over sse',
    server: 'alpha',
  })
  const progress: number[] = []
  await client.callTool(
    { name: 'progress', arguments: { steps: 3 } },
    { onprogress: (update) => void progress.push(update.progress) },
  )
  expect(progress).toEqual([1, 2, 3])
  expect((await client.callTool({ name: 'sample', arguments: {} })).content).toEqual([
    { type: 'text', text: 'model said sampled' },
  ])
  expect(upstream.sessions()).toBe(baseline + 1)
  await client.close()
  await waitFor(() => upstream.sessions() === baseline, 'the upstream session to close')
})

test('a v1 SDK client on the 2024-11-05 transport is served too', async () => {
  const client = new V1Client({ name: 'v1-sse', version: '1.0.0' })
  await client.connect(new V1SSEClientTransport(sseUrl))
  expect((await client.callTool({ name: 'alpha_only', arguments: {} })).content).toEqual([
    { type: 'text', text: 'alpha' },
  ])
  await client.close()
})

test('many SSE clients at once each receive only their own messages', async () => {
  const names = Array.from({ length: 8 }, (_, index) => `client-${index}`)
  const clients = await Promise.all(names.map((name) => sseClient({ name })))
  const greetings = await Promise.all(
    clients.map((client) => client.callTool({ name: 'ask_name', arguments: {} })),
  )
  expect(greetings.map((greeting) => greeting.content)).toEqual(
    names.map((name) => [{ type: 'text', text: `hello ${name}` }]),
  )
  await Promise.all(clients.map((client) => client.close()))
})

test('a client that vanishes without closing is cleaned up with its upstream session', async () => {
  const baseline = await settledSessions()
  const vanish = new AbortController()
  const stream = await fetch(sseUrl, { signal: vanish.signal, headers: { accept: 'text/event-stream' } })
  const reader = (stream.body as ReadableStream<Uint8Array>).getReader()
  const first = new TextDecoder().decode((await reader.read()).value)
  const endpoint = /data: (.*)/.exec(first)?.[1] as string
  const post = (body: unknown) =>
    fetch(new URL(endpoint, sseUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })
  await post({
    jsonrpc: '2.0',
    id: 1,
    method: 'initialize',
    params: { protocolVersion: '2024-11-05', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
  })
  await post({ jsonrpc: '2.0', method: 'notifications/initialized' })
  expect(
    (await post({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'alpha_only' } })).status,
  ).toBe(202)
  await waitFor(() => upstream.sessions() === baseline + 1, 'the upstream session to open')
  const sessions = proxy.proxy.status().sessions
  vanish.abort()
  await waitFor(() => proxy.proxy.status().sessions === sessions - 1, 'the proxy session to close')
  await waitFor(() => upstream.sessions() === baseline, 'the upstream session to close')
  expect((await post({ jsonrpc: '2.0', id: 3, method: 'ping' })).status).toBe(404)
})

test.each([
  [
    'no sessionId',
    '/messages',
    { 'content-type': 'application/json' },
    '{"jsonrpc":"2.0","id":1,"method":"ping"}',
    400,
  ],
  [
    'an unknown sessionId',
    '/messages?sessionId=nope',
    { 'content-type': 'application/json' },
    '{"jsonrpc":"2.0","id":1,"method":"ping"}',
    404,
  ],
  ['a wrong content type', '/messages?sessionId=nope', { 'content-type': 'text/plain' }, 'ping', 415],
  ['invalid JSON', '/messages?sessionId=nope', { 'content-type': 'application/json' }, '{', 400],
  [
    'a body over the limit',
    '/messages?sessionId=nope',
    { 'content-type': 'application/json' },
    'x'.repeat(100_000),
    413,
  ],
])('a POST with %s is refused at once', async (_name, path, headers, body, status) => {
  const response = await fetch(new URL(path, sseUrl), { method: 'POST', headers, body })
  expect(response.status).toBe(status)
  expect((await response.text()).length).toBeGreaterThan(0)
})
