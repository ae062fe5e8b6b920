/**
 * Fuzz: malformed JSON-RPC on POST /mcp, in the three places a message can land (no session, a
 * 2025-era session, a 2026-07-28 request), single and batched. Fixed seeds; see the printed seed
 * to replay a failure.
 */
import { afterAll, beforeAll, test } from 'bun:test'
import fc from 'fast-check'
import {
  type FuzzTarget,
  JSON_AND_SSE,
  type Memory,
  MODERN,
  MODERN_ENVELOPE,
  startFuzzTarget,
  testAftermath,
} from './fuzz-target.ts'
import { type FuzzMessage, fuzzBatch, fuzzMessage } from './json-rpc-arbitraries.ts'

let target: FuzzTarget
let baseline: Memory

beforeAll(async () => {
  target = await startFuzzTarget({ maxBodyBytes: 256 * 1024 })
  baseline = await target.memory()
})
afterAll(() => target.stop())

const post = (headers: Record<string, string>, body: string) => ({
  method: 'POST',
  path: '/mcp',
  headers,
  body,
})
const base = { 'content-type': 'application/json', accept: JSON_AND_SSE }

/** The message as a 2026-07-28 client would send it: envelope in `_meta`, method and name in headers. */
function modern(message: FuzzMessage) {
  let body = message.text
  const params = message.params
  if (typeof params === 'object' && params !== null && !Array.isArray(params)) {
    const withMeta = {
      ...params,
      _meta: { ...MODERN_ENVELOPE, ...((params as { _meta?: object })._meta ?? {}) },
    }
    body = message.text.replace(JSON.stringify(params), JSON.stringify(withMeta))
  }
  const name = (params as { name?: unknown } | undefined)?.name
  // Only what fetch can put in a header; the body still carries whatever the fuzz chose.
  const headerSafe = (value: unknown): value is string =>
    typeof value === 'string' && /^[\x20-\x7e]*$/.test(value)
  return post(
    {
      ...base,
      'mcp-protocol-version': MODERN,
      ...(headerSafe(message.method) && { 'mcp-method': message.method }),
      ...(headerSafe(name) && { 'mcp-name': name }),
    },
    body,
  )
}

test('malformed messages without a session never crash or hang the proxy', async () => {
  await target.assertProperty('no session', fuzzMessage, (message) => post(base, message.text), 1500, 1101)
})

test('malformed messages in a 2025-era session never crash or hang the proxy', async () => {
  const headers = { ...base, 'mcp-session-id': target.sessionId }
  await target.assertProperty(
    '2025 session',
    fuzzMessage,
    (message) => post(headers, message.text),
    2000,
    1102,
  )
})

test('malformed 2026-07-28 requests never crash or hang the proxy', async () => {
  await target.assertProperty('2026-07-28', fuzzMessage, modern, 2000, 1103)
})

test('malformed batches (empty, mixed, past 100 messages) never crash or hang the proxy', async () => {
  const headers = { ...base, 'mcp-session-id': target.sessionId }
  await target.assertProperty(
    'batches',
    fc.tuple(fuzzBatch, fc.boolean()),
    ([batch, inSession]) => post(inSession ? headers : base, batch),
    300,
    1104,
  )
})

testAftermath('json-rpc', () => ({ target, baseline }))
