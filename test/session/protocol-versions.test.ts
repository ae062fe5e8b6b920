import { afterAll, beforeAll, expect, test } from 'bun:test'
import { type RunningFixture, serveV1Http } from '../fixtures/v1-server.ts'
import { startProxy, type TestProxy } from '../helpers/start-proxy.ts'

let upstream: RunningFixture
let proxy: TestProxy
beforeAll(async () => {
  upstream = serveV1Http({ name: 'alpha' })
  proxy = await startProxy({ upstreams: [{ id: 'alpha', url: upstream.url }] })
})
afterAll(async () => {
  await proxy.stop()
  await upstream.close()
})

async function post(body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(proxy.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      ...headers,
    },
    body: JSON.stringify(body),
  })
  const text = await response.text()
  const data = text.startsWith('{') ? text : (/^data: (.*)$/m.exec(text)?.[1] ?? 'null')
  return { response, answer: JSON.parse(data) as { result?: Record<string, unknown> } }
}

test.each(['2024-11-05', '2025-03-26', '2025-06-18', '2025-11-25'])(
  'a client on protocol %s is answered in its own version and its calls reach the upstream',
  async (version) => {
    const { response, answer } = await post({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: version, capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
    })
    expect(answer.result?.protocolVersion).toBe(version)
    const session = {
      'mcp-session-id': response.headers.get('mcp-session-id') as string,
      'mcp-protocol-version': version,
    }
    await post({ jsonrpc: '2.0', method: 'notifications/initialized' }, session)
    const call = await post(
      { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'echo', arguments: { text: version } } },
      session,
    )
    expect(call.answer.result?.content).toEqual([{ type: 'text', text: `alpha:${version}` }])
  },
)
