/**
 * Fuzz: the HTTP around the message on /mcp: header variants and duplicates (Content-Type,
 * Accept, Mcp-Session-Id, MCP-Protocol-Version, Mcp-Method), raw bodies (random bytes, broken
 * UTF-8, 20k-deep nesting, sizes around the limit), and GET/DELETE with garbage sessions.
 */
import { afterAll, beforeAll, test } from 'bun:test'
import fc from 'fast-check'
import { exchange } from './exchange.ts'
import { type FuzzTarget, JSON_AND_SSE, type Memory, startFuzzTarget, testAftermath } from './fuzz-target.ts'
import { ACCEPTS, headerChoice, rawBody, sessionHeader, toHeaders } from './http-arbitraries.ts'

const LIMIT = 64 * 1024
let target: FuzzTarget
let baseline: Memory

beforeAll(async () => {
  target = await startFuzzTarget({ maxBodyBytes: LIMIT })
  baseline = await target.memory()
})
afterAll(() => target.stop())

const BODIES = [
  '{"jsonrpc":"2.0","id":1,"method":"ping"}',
  '{"jsonrpc":"2.0","id":2,"method":"tools/list"}',
  '{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"echo","arguments":{"text":"x"}}}',
  '{"jsonrpc":"2.0","id":4,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"f","version":"1"}}}',
  '{"jsonrpc":"2.0","method":"notifications/initialized"}',
]

test('any mix of MCP headers on POST /mcp never crashes or hangs the proxy', async () => {
  await target.assertProperty(
    'headers',
    fc.tuple(headerChoice(target.sessionId), fc.constantFrom(...BODIES)),
    ([choice, body]) => ({ method: 'POST', path: '/mcp', headers: toHeaders(choice), body }),
    2000,
    2101,
  )
})

test('raw bodies (random bytes, broken UTF-8, deep nesting, sizes around the limit) get a clean answer', async () => {
  const headers = { 'content-type': 'application/json', accept: JSON_AND_SSE }
  await target.assertProperty(
    'raw bodies',
    fc.tuple(rawBody(LIMIT), fc.boolean()),
    ([body, inSession]) => ({
      method: 'POST',
      path: '/mcp',
      headers: inSession ? { ...headers, 'mcp-session-id': target.sessionId } : headers,
      body,
    }),
    1000,
    2102,
  )
})

test('GET and DELETE /mcp with any session header and Accept never crash or hang the proxy', async () => {
  // A throwaway session, so DELETE cannot end the one the other properties use.
  const opened = await exchange(target.base, {
    method: 'POST',
    path: '/mcp',
    headers: { 'content-type': 'application/json', accept: JSON_AND_SSE },
    body: BODIES[3],
  })
  const throwaway = opened.sessionId as string
  const arbitrary = fc.record({
    method: fc.constantFrom('GET', 'DELETE'),
    sessionIds: sessionHeader(throwaway),
    accept: fc.constantFrom(...ACCEPTS),
    lastEventId: fc.option(fc.constantFrom('', '0', 'garbage', 'x'.repeat(2_000)), { nil: undefined }),
  })
  console.log('[fuzz] GET/DELETE: seed=2103 numRuns=600')
  await fc.assert(
    fc.asyncProperty(arbitrary, async ({ method, sessionIds, accept, lastEventId }) => {
      const headers = new Headers({ accept })
      for (const id of sessionIds) headers.append('mcp-session-id', id)
      if (lastEventId !== undefined) headers.set('last-event-id', lastEventId)
      // The standalone stream of a live session is long-lived, and its headers may wait for an event.
      const live = sessionIds.length === 1 && sessionIds[0] === throwaway && method === 'GET'
      const problems = await target.check(
        { method, path: '/mcp', headers, mayStayOpen: live },
        live ? 1_000 : undefined,
      )
      if (problems.length) throw new Error(problems.join('\n'))
    }),
    { seed: 2103, numRuns: 600, endOnFailure: true },
  )
})

testAftermath('http-envelope', () => ({ target, baseline }))
