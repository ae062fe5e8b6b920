import { afterAll, beforeAll, expect, test } from 'bun:test'
import { type RunningFixture, serveV1Http } from '../fixtures/v1-server.ts'
import { connectClient } from '../helpers/clients.ts'
import { startProxy, type TestProxy } from '../helpers/start-proxy.ts'

let alpha: RunningFixture
let proxy: TestProxy

beforeAll(async () => {
  alpha = serveV1Http({ name: 'alpha' })
  proxy = await startProxy({ upstreams: [{ id: 'alpha', url: alpha.url }], maxBodyBytes: 64 * 1024 })
})
afterAll(async () => {
  await proxy.stop()
  await alpha.close()
})

const JSON_AND_SSE = 'application/json, text/event-stream'

function post(body: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(proxy.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: JSON_AND_SSE, ...headers },
    body,
  })
}

const initialize = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
})

/** Opens a 2025-era session by hand and returns its id. */
async function openSession(): Promise<string> {
  const response = await post(initialize)
  await response.text()
  const sessionId = response.headers.get('mcp-session-id') as string
  await post(JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }), {
    'mcp-session-id': sessionId,
  })
  return sessionId
}

/** Reads a JSON-RPC answer from a JSON body or the first `data:` line of an SSE body. */
async function rpcAnswer(
  response: Response,
): Promise<{ error?: { code: number; message: string }; result?: unknown }> {
  const text = await response.text()
  const data = text.startsWith('{') ? text : (/^data: (.*)$/m.exec(text)?.[1] ?? 'null')
  return JSON.parse(data)
}

test.each([
  ['invalid JSON', '{"jsonrpc":', {}, 400, -32700],
  ['a body that is not JSON-RPC', '{"hello":"world"}', {}, 400, -32600],
  ['an empty batch', '[]', {}, 400, -32600],
  ['a wrong content type', initialize, { 'content-type': 'text/plain' }, 415, -32000],
  ['an Accept without event streams', initialize, { accept: 'application/json' }, 406, -32000],
  ['a request without a session', '{"jsonrpc":"2.0","id":2,"method":"tools/list"}', {}, 400, -32000],
  [
    'an unknown session',
    '{"jsonrpc":"2.0","id":2,"method":"tools/list"}',
    { 'mcp-session-id': 'nope' },
    404,
    -32001,
  ],
] as const)('%s is refused with a clear error', async (_name, body, headers, status, code) => {
  const response = await post(body, headers)
  expect(response.status).toBe(status)
  const answer = await rpcAnswer(response)
  expect(answer.error?.code).toBe(code)
  expect(answer.error?.message.length).toBeGreaterThan(10)
})

test('a body over the limit is refused with 413', async () => {
  const response = await post(
    JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping', params: { pad: 'x'.repeat(100_000) } }),
  )
  expect(response.status).toBe(413)
})

test.each([
  ['a foreign Host', { host: 'evil.example:3000' }],
  ['a foreign Origin', { origin: 'https://evil.example' }],
])('%s is refused with 403 (DNS rebinding)', async (_name, headers) => {
  const response = await post(initialize, headers)
  expect(response.status).toBe(403)
})

test('a loopback Origin is accepted', async () => {
  const response = await post(initialize, { origin: 'http://localhost:6274' })
  expect(response.status).toBe(200)
  await response.text()
})

test('an unknown method answers -32601 in the session', async () => {
  const sessionId = await openSession()
  const response = await post('{"jsonrpc":"2.0","id":3,"method":"no/such/method"}', {
    'mcp-session-id': sessionId,
  })
  expect((await rpcAnswer(response)).error?.code).toBe(-32601)
})

test.each(['legacy', 'modern'] as const)('an unknown tool is a clear -32602 error (%s era)', async (era) => {
  const client = await connectClient(proxy.url, { era })
  const failure = await client.callTool({ name: 'no_such_tool', arguments: {} }).catch((error) => error)
  expect(failure.code).toBe(-32602)
  expect(failure.message).toContain('Unknown tool: no_such_tool')
  await client.close()
})

test('DELETE ends the session: its id is then unknown', async () => {
  const sessionId = await openSession()
  const deleted = await fetch(proxy.url, { method: 'DELETE', headers: { 'mcp-session-id': sessionId } })
  expect(deleted.status).toBe(200)
  const after = await post('{"jsonrpc":"2.0","id":4,"method":"tools/list"}', { 'mcp-session-id': sessionId })
  expect(after.status).toBe(404)
})

test('other HTTP methods on /mcp get 405', async () => {
  const response = await fetch(proxy.url, { method: 'PUT' })
  expect(response.status).toBe(405)
})
