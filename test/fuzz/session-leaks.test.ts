/**
 * Regressions for what the fuzz found: requests that open a 2025-era session the client can
 * never use or close. Each leaked session holds an SDK server (and, for SSE, a keep-alive timer)
 * until the idle reaper, and counts against the session limits meanwhile.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test'
import { type RunningFixture, serveV1Http } from '../fixtures/v1-server.ts'
import { connectClient } from '../helpers/clients.ts'
import { startProxy, type TestProxy } from '../helpers/start-proxy.ts'
import { waitFor } from '../helpers/wait.ts'

let alpha: RunningFixture

beforeAll(() => {
  alpha = serveV1Http({ name: 'alpha' })
})
afterAll(() => alpha.close())

/** Runs `use` against a fresh proxy, so leaks of one test cannot fail another. */
async function withProxy(use: (proxy: TestProxy, base: string) => Promise<void>): Promise<void> {
  const proxy = await startProxy({ upstreams: [{ id: 'alpha', url: alpha.url }] })
  try {
    await use(proxy, proxy.url.replace(/\/mcp$/, ''))
  } finally {
    await proxy.stop()
  }
}

async function postInitializeNotification(url: string): Promise<Response> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: JSON.stringify({
      jsonrpc: '2.0',
      method: 'initialize',
      params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'x', version: '1' } },
    }),
  })
  await response.text()
  return response
}

function headSse(base: string): Promise<string> {
  return fetch(`${base}/sse`, { method: 'HEAD', signal: AbortSignal.timeout(5_000) }).then((response) =>
    response.text(),
  )
}

/** Sessions still open a moment after `send` finished. */
async function leakedBy(proxy: TestProxy, send: () => Promise<unknown>): Promise<number> {
  await send()
  await waitFor(() => proxy.proxy.status().sessions === 0, 'the session to close', 2_000).catch(() => {})
  return proxy.proxy.status().sessions
}

// BUG (found by fuzz/json-rpc, seed 1101): the SDK transport treats an `initialize` without an id
// as an initialization, assigns a session id and answers 202 without the Mcp-Session-Id header.
test('an initialize sent as a notification (no id) leaves no session behind', async () => {
  await withProxy(async (proxy) => {
    const leaked = await leakedBy(proxy, async () => {
      const response = await postInitializeNotification(proxy.url)
      expect(response.headers.get('mcp-session-id')).toBeNull()
    })
    expect(leaked).toBe(0)
  })
})

// BUG (found by fuzz/routes, seed 3101): Hono serves HEAD with the GET handler; the SSE session
// opens, Bun drops the body of a HEAD answer without cancelling the stream, so it never closes.
test('HEAD /sse leaves no session behind', async () => {
  await withProxy(async (proxy, base) => {
    expect(await leakedBy(proxy, () => headSse(base))).toBe(0)
  })
})

test('a GET /sse whose client goes away leaves no session behind', async () => {
  await withProxy(async (proxy, base) => {
    const leaked = await leakedBy(proxy, async () => {
      const controller = new AbortController()
      const response = await fetch(`${base}/sse`, { signal: controller.signal })
      await (response.body as ReadableStream<Uint8Array>).getReader().read()
      controller.abort()
    })
    expect(leaked).toBe(0)
  })
})

// The impact of both leaks: every leaked session counts against maxSessionsPerClient (100) until
// the idle reaper runs (30 min by default), so a client that sends these locks itself out, and
// many such clients fill maxSessions for everyone.
test.each([
  ['initialize notifications', (proxy: TestProxy) => postInitializeNotification(proxy.url)],
  ['HEAD /sse requests', (proxy: TestProxy) => headSse(proxy.url.replace(/\/mcp$/, ''))],
])('150 %s do not lock the client out of new sessions', async (_name, send) => {
  await withProxy(async (proxy) => {
    for (let index = 0; index < 150; index++) await send(proxy)
    const client = await connectClient(proxy.url).catch((error: Error) => error)
    expect(client instanceof Error ? client.message.split('\n')[0] : 'connected').toBe('connected')
    if (!(client instanceof Error)) await client.close()
  })
})
