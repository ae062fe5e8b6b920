import { describe, expect, test } from 'bun:test'
import { McpServer, WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/server'
import * as z from 'zod/v4'
import { callStreamEventId, callStreamEvents, requestIdsOf } from '../../../src/cluster/call-streams.ts'

const PREFIX = 'proxmcp-abc123-'

describe('a call stream event id', () => {
  test("names the client's requests, whatever their ids", () => {
    for (const ids of [[7], ['a/b c"é%'], [1, 'two', 3]]) {
      const eventId = callStreamEventId(PREFIX, ids)
      expect(eventId.startsWith(`${PREFIX}c`)).toBe(true)
      expect(requestIdsOf(eventId.slice(PREFIX.length))).toEqual(ids)
    }
  })

  test('that is not one of ours names nothing', () => {
    for (const rest of [
      '',
      'x7',
      'c',
      'c%7B',
      'cnull',
      'ctrue',
      'c%5B%5D',
      'c%7B%7D',
      'c%5B1%2Cnull%5D',
      'c%E0%A4%A',
    ]) {
      expect(requestIdsOf(rest)).toBeUndefined()
    }
  })
})

/** The SDK's transport with the cluster's event store, in front of a server whose `slow` tool waits to be released. */
async function sessionWithEventStore() {
  const release: (() => void)[] = []
  const server = new McpServer({ name: 'streams', version: '1.0.0' })
  server.registerTool('quick', { description: 'Answers at once' }, async () => ({
    content: [{ type: 'text', text: 'quick' }],
  }))
  server.registerTool(
    'slow',
    { inputSchema: z.object({}) },
    () =>
      new Promise((resolve) => release.push(() => resolve({ content: [{ type: 'text', text: 'slow' }] }))),
  )
  const transport: WebStandardStreamableHTTPServerTransport = new WebStandardStreamableHTTPServerTransport({
    sessionIdGenerator: () => 'session-1',
    eventStore: callStreamEvents(
      () => PREFIX,
      () => transport,
    ),
  })
  await server.connect(transport)
  const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }
  const post = (body: unknown, extra: Record<string, string> = {}) =>
    transport.handleRequest(
      new Request('http://proxy.test/mcp', {
        method: 'POST',
        headers: { ...headers, ...extra },
        body: JSON.stringify(body),
      }),
    )
  const opened = await post({
    jsonrpc: '2.0',
    id: 0,
    method: 'initialize',
    params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 't', version: '1' } },
  })
  await opened.text()
  const session = { 'mcp-session-id': 'session-1', 'mcp-protocol-version': '2025-11-25' }
  await (await post({ jsonrpc: '2.0', method: 'notifications/initialized' }, session)).text()
  return { release, postInSession: (body: unknown) => post(body, session), close: () => server.close() }
}

/** The ids of a stream's events, `-` for an event without one, in order, as the stream ends. */
async function eventIds(response: Response): Promise<string[]> {
  const text = await response.text()
  return text
    .split('\n\n')
    .filter((event) => event.trim() !== '')
    .map((event) => /^id: (.*)$/m.exec(event)?.[1] ?? '-')
}

describe('the event store the SDK transport gets in cluster mode', () => {
  test('primes a stream with its requests, and names on each event only those still unanswered', async () => {
    const { release, postInSession, close } = await sessionWithEventStore()
    // Two answered in the same tick: the SDK records neither as answered before both events are written.
    const answered = postInSession([
      { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'quick', arguments: {} } },
      { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'quick', arguments: {} } },
      { jsonrpc: '2.0', id: 'three', method: 'tools/call', params: { name: 'slow', arguments: {} } },
    ])
    const response = await answered
    while (release.length === 0) await Bun.sleep(5)
    release[0]?.()
    const ids = await eventIds(response)
    expect(ids).toEqual([
      callStreamEventId(PREFIX, [1, 2, 'three']),
      callStreamEventId(PREFIX, [2, 'three']),
      callStreamEventId(PREFIX, ['three']),
      // The last answer leaves nothing to name: a cut after it has nothing to report.
      '-',
    ])
    await close()
  })
})
