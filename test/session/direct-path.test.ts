/**
 * The fast path: a 2025-era session's tools/call to a 2025-era Streamable HTTP upstream goes
 * upstream as one HTTP exchange under an id of the proxy's, its answer streamed straight back.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { serveV1Http, type V1Fixture } from '../fixtures/v1-server.ts'
import { connectClient } from '../helpers/clients.ts'
import { initializeMessage, postRpc } from '../helpers/mcp-http.ts'
import { startProxy, type TestProxy } from '../helpers/start-proxy.ts'
import { waitFor } from '../helpers/wait.ts'

const PROXY_ID = /^"proxmcp-\d+"$/

describe.each([
  ['an event stream', false],
  ['a JSON body', true],
])('an upstream answering with %s', (_, jsonResponse) => {
  let alpha: V1Fixture
  let proxy: TestProxy

  beforeAll(async () => {
    alpha = serveV1Http({ name: 'alpha', jsonResponse })
    proxy = await startProxy({ upstreams: [{ id: 'alpha', url: alpha.url }] })
  })
  afterAll(async () => {
    await proxy.stop()
    await alpha.close()
  })

  test('gets the call under an id of the proxy, and the client its answer whole', async () => {
    const client = await connectClient(proxy.url)
    const seen = await client.callTool({ name: 'request_id', arguments: {} })
    expect((seen.content as { text: string }[])[0]?.text).toMatch(PROXY_ID)
    const echoed = await client.callTool({ name: 'echo', arguments: { text: 'hi' } })
    expect(echoed).toMatchObject({
      content: [{ type: 'text', text: 'alpha:hi' }],
      structuredContent: { text: 'hi', server: 'alpha' },
      _meta: { 'fixture/server': 'alpha' },
    })
    await client.close()
  })

  test('answers concurrent calls of one session each under the client its own id', async () => {
    const session = await openRawSession(proxy.url)
    const ids = Array.from({ length: 24 }, (_, index) => (index % 2 ? `call-${index}` : index + 10))
    const answers = await Promise.all(ids.map((id) => session.call(id, 'echo', { text: `n${String(id)}` })))
    for (const [index, answer] of answers.entries()) {
      expect(answer.id).toBe(ids[index] as string | number)
      expect(answer.result?.content).toEqual([{ type: 'text', text: `alpha:n${String(ids[index])}` }])
    }
  })
})

describe('the upstream side of a direct call', () => {
  let alpha: V1Fixture
  let proxy: TestProxy

  beforeAll(async () => {
    alpha = serveV1Http({ name: 'alpha' })
    proxy = await startProxy({
      upstreams: [{ id: 'alpha', url: alpha.url, timeoutMs: 400 }],
      maxCallsPerSession: 1,
    })
  })
  afterAll(async () => {
    await proxy.stop()
    await alpha.close()
  })

  test('a cancelled call is cancelled upstream, and frees its slot in the session', async () => {
    const client = await connectClient(proxy.url)
    const cancel = new AbortController()
    const waiting = client.callTool({ name: 'wait', arguments: { ms: 10_000 } }, { signal: cancel.signal })
    await Bun.sleep(100)
    cancel.abort('changed my mind')
    await expect(waiting).rejects.toThrow()
    await waitFor(() => alpha.events.includes('aborted'), 'the upstream saw the cancellation')
    // The session allows one call at a time: this one gets through only if the cancelled one let go.
    expect((await client.callTool({ name: 'alpha_only', arguments: {} })).content).toEqual([
      { type: 'text', text: 'alpha' },
    ])
    await client.close()
  })

  test('a call past the timeout fails with -32011 naming the upstream, which is told to stop', async () => {
    alpha.events.length = 0
    const client = await connectClient(proxy.url)
    const started = performance.now()
    const failure = await client.callTool({ name: 'wait', arguments: { ms: 10_000 } }).catch((e) => e)
    expect(failure).toMatchObject({ code: -32011 })
    expect(String(failure.message)).toContain("upstream 'alpha' did not answer within 400 ms")
    expect(performance.now() - started).toBeLessThan(3_000)
    await waitFor(() => alpha.events.includes('aborted'), 'the upstream saw the cancellation')
    await client.close()
  })

  test('when the upstream forgot the session, the call is served from a new one', async () => {
    const client = await connectClient(proxy.url)
    await client.callTool({ name: 'alpha_only', arguments: {} })
    await alpha.dropSessions()
    expect((await client.callTool({ name: 'echo', arguments: { text: 'again' } })).content).toEqual([
      { type: 'text', text: 'alpha:again' },
    ])
    await client.close()
  })
})

interface Answer {
  id?: string | number
  result?: { content?: unknown }
  error?: { code: number; message: string }
}

/** A 2025-era session on bare fetch, so the test picks the request ids. */
async function openRawSession(url: string) {
  const init = await postRpc(url, {}, initializeMessage())
  const sessionId = init.headers.get('mcp-session-id') as string
  await init.text()
  const headers = { 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-11-25' }
  await (await postRpc(url, headers, { jsonrpc: '2.0', method: 'notifications/initialized' })).text()
  return {
    async call(id: string | number, name: string, args: Record<string, unknown>): Promise<Answer> {
      const params = { name, arguments: args }
      const response = await postRpc(url, headers, { jsonrpc: '2.0', id, method: 'tools/call', params })
      const text = await response.text()
      if (!response.headers.get('content-type')?.includes('text/event-stream')) return JSON.parse(text)
      const messages = text
        .split('\n')
        .filter((line) => line.startsWith('data: '))
        .map((line) => JSON.parse(line.slice(6)) as Answer)
      return messages.find((message) => message.id === id) ?? {}
    },
  }
}
