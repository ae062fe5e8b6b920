/**
 * Fuzz: every HTTP method on every path the proxy serves and many it does not (/mcp, /sse,
 * /messages, odd spellings, query strings), and malformed JSON-RPC posted to a live legacy SSE
 * session's /messages endpoint.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test'
import fc from 'fast-check'
import { type FuzzTarget, type Memory, startFuzzTarget, testAftermath } from './fuzz-target.ts'
import { CONTENT_TYPES } from './http-arbitraries.ts'
import { fuzzBatch, fuzzMessage } from './json-rpc-arbitraries.ts'

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD', 'TRACE', 'PROPFIND', 'M-SEARCH']
const PATHS = [
  '/mcp',
  '/mcp/',
  '/MCP',
  '//mcp',
  '/mcp?x=1',
  '/mcp/extra',
  '/mcp%00',
  '/sse',
  '/sse/',
  '/sse?sessionId=x',
  '/messages',
  '/messages?sessionId=',
  '/messages?sessionId=nope',
  '/messages?sessionId=a&sessionId=b',
  '/healthz',
  '/.well-known/oauth-protected-resource/mcp',
  '/',
  '/%2e%2e/mcp',
]

/** Built before the baseline is taken: fast-check's webPath costs ~75 MiB of heap once, at construction. */
const ANY_PATH = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...PATHS) },
  fc.webPath().map((path) => (path.startsWith('/') ? path : `/${path}`)),
)

let target: FuzzTarget
let baseline: Memory

beforeAll(async () => {
  target = await startFuzzTarget({ maxBodyBytes: 64 * 1024 })
  baseline = await target.memory()
})
afterAll(() => target.stop())

test('any method on any path gets a clean answer in time', async () => {
  await target.assertProperty(
    'methods x paths',
    fc.record({
      method: fc.constantFrom(...METHODS),
      path: ANY_PATH,
      contentType: fc.constantFrom(...CONTENT_TYPES),
      body: fc.oneof(
        fuzzMessage.map((message) => message.text),
        fc.constant(''),
      ),
    }),
    ({ method, path, contentType, body }) => ({
      method,
      path,
      headers: { 'content-type': contentType, accept: 'application/json, text/event-stream' },
      body,
    }),
    2000,
    3101,
  )
})

/** Opens a legacy SSE session and keeps reading its stream, as a client does; returns its POST path. */
async function openSseSession(): Promise<{ path: string; received: () => string; close: () => void }> {
  const controller = new AbortController()
  const response = await fetch(`${target.base}/sse`, { signal: controller.signal })
  const reader = (response.body as ReadableStream<Uint8Array>).getReader()
  const decoder = new TextDecoder()
  let received = ''
  const endpoint = /data: (\S+)/.exec(decoder.decode((await reader.read()).value))?.[1] as string
  void (async () => {
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }))
      if (done) return
      received += decoder.decode(value)
      if (received.length > 1_000_000) received = received.slice(-100_000)
    }
  })()
  return { path: `/${endpoint}`, received: () => received, close: () => controller.abort() }
}

test('malformed messages posted to a live SSE session never crash or hang it, and it still answers', async () => {
  const session = await openSseSession()
  const headers = { 'content-type': 'application/json' }
  await target.assertProperty(
    'sse /messages',
    fc.oneof(
      fuzzMessage.map((message) => message.text),
      fuzzBatch,
    ),
    (body) => ({ method: 'POST', path: session.path, headers, body }),
    400,
    3102,
  )
  const ping = await fetch(`${target.base}${session.path}`, {
    method: 'POST',
    headers,
    body: '{"jsonrpc":"2.0","id":"final-ping","method":"ping"}',
  })
  expect(ping.status).toBe(202)
  const deadline = Date.now() + 5_000
  while (!session.received().includes('"final-ping"') && Date.now() < deadline) await Bun.sleep(20)
  expect(session.received()).toContain('"id":"final-ping"')
  session.close()
})

testAftermath('routes', () => ({ target, baseline }))
