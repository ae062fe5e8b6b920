import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { authPlugin, type LoggerOptions, loggerPlugin, type RequestLogEntry } from '../../src/index.ts'
import { redact } from '../../src/plugins/logger/redact.ts'
import { type RunningFixture, serveV1Http } from '../fixtures/v1-server.ts'
import { connectClient } from '../helpers/clients.ts'
import { postRpc } from '../helpers/mcp-http.ts'
import { startProxy, type TestProxy } from '../helpers/start-proxy.ts'

const KEY = 'sk-logger-test-key-0123456789'

let alpha: RunningFixture
beforeAll(() => {
  alpha = serveV1Http({ name: 'alpha' })
})
afterAll(() => alpha.close())

/** A proxy behind an API key whose request log lands in `lines`. */
async function loggedProxy(options: LoggerOptions) {
  const lines: string[] = []
  const proxy = await startProxy({
    upstreams: [{ id: 'alpha', url: alpha.url }],
    plugins: [
      authPlugin({ mode: 'apikey', keys: { alice: KEY } }),
      loggerPlugin({ ...options, sink: (line) => void lines.push(line) }),
    ],
  })
  return { proxy, lines }
}

describe('json lines', () => {
  let proxy: TestProxy
  let lines: string[]
  const entries = () => lines.map((line) => JSON.parse(line) as RequestLogEntry)
  beforeAll(async () => {
    ;({ proxy, lines } = await loggedProxy({ format: 'json' }))
  })
  afterAll(() => proxy.stop())

  test.each(['legacy', 'modern'] as const)(
    'one per request with who, what, where, status and duration (%s era)',
    async (era) => {
      lines.length = 0
      const client = await connectClient(proxy.url, { era, headers: { 'x-api-key': KEY } })
      await client.callTool({ name: 'echo', arguments: { text: 'hello', token: 'tool-arg-secret' } })
      await client.readResource({ uri: 'fixture://alpha/info' })
      await client.close()
      const call = entries().find((entry) => entry.method === 'tools/call')
      expect(call).toEqual({
        time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
        requestId: expect.any(String),
        http: 'POST /mcp',
        status: 200,
        durationMs: expect.any(Number),
        client: '127.0.0.1',
        identity: 'alice',
        method: 'tools/call',
        name: 'echo',
        upstream: 'alpha',
        ...(era === 'legacy' && { session: expect.any(String) }),
      })
      expect(entries().find((entry) => entry.method === 'resources/read')).toMatchObject({
        uri: 'fixture://alpha/info',
        upstream: 'alpha',
      })
      expect(lines.join('\n')).not.toContain('hello')
      expect(lines.join('\n')).not.toContain('tool-arg-secret')
    },
  )

  test('refused requests are logged too, without their credentials', async () => {
    lines.length = 0
    await postRpc(proxy.url, { authorization: `Bearer ${KEY}-wrong` })
    expect(entries()).toEqual([expect.objectContaining({ status: 401, method: 'tools/list' })])
    expect(lines[0]).not.toContain(KEY)
  })

  test('a GET or DELETE without a JSON-RPC body is logged by its HTTP method and path', async () => {
    lines.length = 0
    await fetch(proxy.url, { method: 'DELETE' })
    expect(entries()).toEqual([expect.objectContaining({ http: 'DELETE /mcp', status: 401 })])
  })
})

test('with bodies: true, params are logged with secret-looking values redacted at any depth', async () => {
  const { proxy, lines } = await loggedProxy({ format: 'json', bodies: true })
  const client = await connectClient(proxy.url, { headers: { authorization: `Bearer ${KEY}` } })
  const args = {
    text: 'visible',
    password: 'hunter2',
    nested: { api_key: 'k-123', list: [{ Authorization: 'x' }] },
  }
  await client.callTool({ name: 'echo', arguments: args })
  await client.close()
  await proxy.stop()
  const call = lines.map((line) => JSON.parse(line)).find((entry) => entry.method === 'tools/call')
  expect(call.params.arguments).toEqual({
    text: 'visible',
    password: '[redacted]',
    nested: { api_key: '[redacted]', list: [{ Authorization: '[redacted]' }] },
  })
  const all = lines.join('\n')
  for (const secret of ['hunter2', 'k-123', KEY]) expect(all).not.toContain(secret)
})

test('pretty lines read as one sentence a request', async () => {
  const { proxy, lines } = await loggedProxy({ format: 'pretty' })
  const client = await connectClient(proxy.url, { headers: { 'x-api-key': KEY } })
  await client.callTool({ name: 'echo', arguments: { text: 'x' } })
  await client.close()
  await proxy.stop()
  const call = lines.find((line) => line.includes('tools/call')) ?? ''
  expect(call).toMatch(
    /^\d\d:\d\d:\d\d\.\d{3} POST \/mcp tools\/call echo → alpha 200 [\d.]+ms alice@127\.0\.0\.1 session \S+$/,
  )
})

test.each([
  [
    'a flat object',
    { user: 'ann', token: 't', secret_value: 's' },
    { user: 'ann', token: '[redacted]', secret_value: '[redacted]' },
  ],
  [
    'keys in any case',
    { 'X-Api-Key': 'k', apikey: 'k', PASSWORD: 'p' },
    { 'X-Api-Key': '[redacted]', apikey: '[redacted]', PASSWORD: '[redacted]' },
  ],
  ['arrays of objects', [{ accessToken: 'a' }, 'plain'], [{ accessToken: '[redacted]' }, 'plain']],
  [
    'a redacted subtree as a whole',
    { auth: { authorization: { scheme: 'Bearer' } } },
    { auth: { authorization: '[redacted]' } },
  ],
  ['primitives unchanged', 'Bearer not-a-key-field', 'Bearer not-a-key-field'],
])('redact: %s', (_what, value, expected) => {
  expect(redact(value)).toEqual(expected)
})

test('redact stops at a depth no log line needs', () => {
  let deep: unknown = 'bottom'
  for (let level = 0; level < 40; level++) deep = { level: deep }
  expect(JSON.stringify(redact(deep))).toContain('[truncated]')
})
