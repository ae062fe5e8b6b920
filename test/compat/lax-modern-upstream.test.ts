/**
 * A 2026-07-28 server that writes its answers the way the conformance suite's reference server
 * does: event streams (a call's progress and result, a subscription) as JSON lines under
 * `application/json`, written as they happen, and results without `resultType`. The SDK rejects
 * both; through the proxy, a client must get what a strict server would have sent.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test'
import { createMcpHandler } from '@modelcontextprotocol/server'
import { createV2Server } from '../fixtures/v2-server.ts'
import { connectClient } from '../helpers/clients.ts'
import { startProxy, type TestProxy } from '../helpers/start-proxy.ts'
import { waitFor } from '../helpers/wait.ts'

type Message = { result?: Record<string, unknown> }

let addTool = false
const modern = createMcpHandler(
  () => {
    const server = createV2Server('lax', [])
    if (addTool)
      server.registerTool('added', { description: 'Registered later' }, async () => ({ content: [] }))
    return server
  },
  { legacy: 'reject' },
)
let upstream: ReturnType<typeof Bun.serve>
let proxy: TestProxy

function withoutResultType(message: Message): Message {
  if (message.result) delete message.result.resultType
  return message
}

/** An event stream rewritten as JSON lines, each sent as its event arrives. */
function jsonLines(events: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
  const decoder = new TextDecoder()
  const encoder = new TextEncoder()
  let buffered = ''
  return events.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        const lines = (buffered + decoder.decode(chunk, { stream: true })).split('\n')
        buffered = lines.pop() ?? ''
        for (const line of lines) {
          if (!line.startsWith('data: ')) continue
          const message = withoutResultType(JSON.parse(line.slice('data: '.length)))
          controller.enqueue(encoder.encode(`${JSON.stringify(message)}\n`))
        }
      },
    }),
  )
}

beforeAll(async () => {
  upstream = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    idleTimeout: 0,
    async fetch(request) {
      const response = await modern.fetch(request)
      const type = response.headers.get('content-type') ?? ''
      if (type.startsWith('text/event-stream') && response.body)
        return new Response(jsonLines(response.body), { headers: { 'content-type': 'application/json' } })
      if (!type.startsWith('application/json') || !response.ok) return response
      // Chunked, as a server that streams its answers sends even those of one message.
      const message = new TextEncoder().encode(JSON.stringify(withoutResultType(await response.json())))
      const body = new ReadableStream({
        start(controller) {
          controller.enqueue(message)
          controller.close()
        },
      })
      return new Response(body, { headers: { 'content-type': 'application/json' } })
    },
  })
  proxy = await startProxy({ upstreams: [{ id: 'lax', url: `http://127.0.0.1:${upstream.port}/mcp` }] })
})

afterAll(async () => {
  await proxy.stop()
  await modern.close()
  await upstream.stop(true)
})

test('a 2026-07-28 client gets the results of a call answered without resultType', async () => {
  const client = await connectClient(proxy.url, { era: 'modern' })
  const result = await client.callTool({ name: 'echo', arguments: { text: 'hi' } })
  expect(result.content).toEqual([{ type: 'text', text: 'lax:hi' }])
  expect(result.structuredContent).toEqual({ text: 'hi', server: 'lax' })
  await client.close()
})

test('a call answered as JSON lines relays its progress, then its result', async () => {
  const client = await connectClient(proxy.url, { era: 'modern' })
  const progress: number[] = []
  const result = await client.callTool(
    { name: 'progress', arguments: { steps: 3 } },
    { onprogress: (update) => progress.push(update.progress) },
  )
  expect(result.content).toEqual([{ type: 'text', text: 'done after 3 steps' }])
  expect(progress).toEqual([1, 2, 3])
  expect(proxy.logs).toContain(
    "debug: upstream 'lax' answers with JSON lines as application/json (tolerated)",
  )
  expect(proxy.logs).toContain("debug: upstream 'lax' answers without resultType (tolerated)")
  expect(proxy.logs.filter((line) => line.endsWith('(tolerated)'))).toHaveLength(2)
  await client.close()
})

test('a change announced on a subscription written as JSON lines reaches the catalog', async () => {
  const client = await connectClient(proxy.url, { era: 'modern' })
  addTool = true
  const listed = () => client.listTools().then(({ tools }) => tools.some((tool) => tool.name === 'added'))
  await waitFor(async () => {
    modern.notify.toolsChanged()
    return listed()
  }, 'the added tool to be listed')
  await client.close()
})
