import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import type { StreamableHTTPClientTransport } from '@modelcontextprotocol/client'
import { loggerPlugin } from '../../src/index.ts'
import { type RunningFixture, serveV1Http } from '../fixtures/v1-server.ts'
import { connectClient } from '../helpers/clients.ts'
import { type HeaderRecorder, recordHeaders } from '../helpers/header-recorder.ts'
import { attribute, otlpReceiver } from '../helpers/otlp-receiver.ts'
import { startProxy, type TestProxy } from '../helpers/start-proxy.ts'
import { stdioFixture } from '../helpers/stdio-fixture.ts'
import { waitFor } from '../helpers/wait.ts'

const CLIENT_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736'
const CLIENT_SPAN = '00f067aa0ba902b7'

describe('with tracing on', () => {
  let receiver: ReturnType<typeof otlpReceiver>
  let upstream: RunningFixture
  let recorder: HeaderRecorder
  let proxy: TestProxy
  const logLines: string[] = []
  beforeAll(async () => {
    receiver = otlpReceiver()
    upstream = serveV1Http({ name: 'alpha' })
    recorder = recordHeaders(upstream.url)
    proxy = await startProxy({
      upstreams: [
        { id: 'alpha', url: recorder.url },
        { id: 'local', command: stdioFixture('traced') },
      ],
      namespace: true,
      tracing: { endpoint: receiver.url, serviceName: 'proxmcp-test' },
      plugins: [loggerPlugin({ format: 'json', sink: (line) => logLines.push(line) })],
    })
  })
  afterAll(async () => {
    await proxy.stop()
    await Promise.all([recorder.close(), upstream.close(), receiver.close()])
  })

  test("a client's traceparent is the parent of the server span, whose child spans the upstream call", async () => {
    const client = await connectClient(proxy.url)
    const transport = client.transport as StreamableHTTPClientTransport
    ;(transport as unknown as { _requestInit?: RequestInit })._requestInit = {
      headers: { traceparent: `00-${CLIENT_TRACE}-${CLIENT_SPAN}-01`, tracestate: 'vendor=opaque' },
    }
    const result = await client.callTool({ name: 'alpha__meta_echo', arguments: {} })
    await client.close()
    const received = (result.structuredContent as { received: { traceparent?: string; tracestate?: string } })
      .received
    const server = await waitFor(
      () => receiver.spans.find((span) => span.traceId === CLIENT_TRACE && span.kind === 2),
      'the server span',
    )
    const call = await waitFor(
      () => receiver.spans.find((span) => span.parentSpanId === server.spanId && span.kind === 3),
      'the upstream call span',
    )
    expect(server.parentSpanId).toBe(CLIENT_SPAN)
    expect(server.name).toBe('tools/call alpha__meta_echo')
    expect(attribute(server, 'mcp.method.name')).toBe('tools/call')
    expect(attribute(server, 'gen_ai.tool.name')).toBe('alpha__meta_echo')
    expect(attribute(server, 'http.response.status_code')).toBe(200)
    expect(typeof attribute(server, 'mcp.session.id')).toBe('string')
    expect(call.traceId).toBe(CLIENT_TRACE)
    expect(attribute(call, 'proxmcp.upstream.id')).toBe('alpha')
    expect(attribute(call, 'proxmcp.outcome')).toBe('ok')
    // The upstream got the call span as its parent, in params._meta and as a header.
    expect(received.traceparent).toBe(`00-${CLIENT_TRACE}-${call.spanId}-01`)
    expect(recorder.seen.some((headers) => headers.get('traceparent') === received.traceparent)).toBe(true)
    expect(received.tracestate).toBe('vendor=opaque')
    expect(recorder.seen.some((headers) => headers.get('tracestate') === 'vendor=opaque')).toBe(true)
    const logged = logLines.map((line) => JSON.parse(line)).find((entry) => entry.name === 'alpha__meta_echo')
    expect(logged?.traceId).toBe(CLIENT_TRACE)
    expect([...receiver.contentTypes]).toEqual(['application/x-protobuf'])
  })

  test('a stdio upstream gets traceparent in params._meta, and a 2026-07-28 client may send it there', async () => {
    const client = await connectClient(proxy.url, { era: 'modern' })
    const result = await client.callTool({
      name: 'local__meta_echo',
      arguments: {},
      _meta: { traceparent: `00-${CLIENT_TRACE.replace(/^4/, '5')}-${CLIENT_SPAN}-01` },
    })
    await client.close()
    const received = (result.structuredContent as { received: { traceparent?: string } }).received
    expect(received.traceparent).toStartWith(`00-${CLIENT_TRACE.replace(/^4/, '5')}-`)
  })
})

test("tracing: { protocol: 'http/json' } exports OTLP JSON", async () => {
  const receiver = otlpReceiver()
  const upstream = serveV1Http({ name: 'alpha' })
  const proxy = await startProxy({
    upstreams: [{ id: 'alpha', url: upstream.url }],
    tracing: { endpoint: receiver.url, protocol: 'http/json' },
  })
  try {
    const client = await connectClient(proxy.url)
    await client.callTool({ name: 'meta_echo', arguments: {} })
    await client.close()
    const call = await waitFor(() => receiver.spans.find((span) => span.kind === 3), 'the upstream call span')
    expect(attribute(call, 'proxmcp.upstream.id')).toBe('alpha')
    expect([...receiver.contentTypes]).toEqual(['application/json'])
  } finally {
    await proxy.stop()
    await Promise.all([upstream.close(), receiver.close()])
  }
})

test('spans a collector refuses are told in the log, once, with its reason, and counted', async () => {
  const refusing = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    fetch: async (request) => {
      await request.arrayBuffer()
      return new Response('bad payload', { status: 400 })
    },
  })
  const upstream = serveV1Http({ name: 'alpha' })
  const proxy = await startProxy({
    upstreams: [{ id: 'alpha', url: upstream.url }],
    tracing: { endpoint: `http://127.0.0.1:${refusing.port}/v1/traces` },
  })
  try {
    const client = await connectClient(proxy.url)
    for (let i = 0; i < 3; i++) await client.callTool({ name: 'meta_echo', arguments: {} })
    await client.close()
    const warning = await waitFor(
      () => proxy.logs.find((line) => line.includes('spans were not exported')),
      'a warning about the refused spans',
    )
    expect(warning).toMatch(/tracing: \d+ spans were not exported \(.*400.*\)/)
    expect(proxy.logs.filter((line) => line.includes('spans were not exported'))).toHaveLength(1)
    const told = Number(/tracing: (\d+) spans/.exec(warning as string)?.[1])
    const metrics = await (await fetch(proxy.url.replace(/\/mcp$/, '/metrics'))).text()
    const counted = Number(/^proxmcp_trace_spans_lost_total (\d+)$/m.exec(metrics)?.[1])
    // Spans of a later batch may be lost (and counted) inside the quiet minute, not yet told.
    expect(counted).toBeGreaterThanOrEqual(told)
    expect(told).toBeGreaterThan(0)
  } finally {
    await proxy.stop()
    await upstream.close()
    refusing.stop(true)
  }
})

test('with tracing off, nothing of OpenTelemetry is loaded', async () => {
  const upstream = serveV1Http({ name: 'alpha' })
  const script = `
    const { ProxMCP } = await import('./src/proxy.ts')
    const proxy = new ProxMCP({ upstreams: [{ id: 'alpha', url: ${JSON.stringify(upstream.url)} }] })
    await proxy.start()
    const app = proxy.getApp()
    const answer = await app.request('http://127.0.0.1/mcp', {
      method: 'POST',
      headers: { host: '127.0.0.1', 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } } }),
    })
    await proxy.stop()
    console.log(answer.status, Object.keys(require.cache).filter((path) => path.includes('@opentelemetry')).length)
  `
  // Not spawnSync: the upstream answers from this process, whose event loop must keep running.
  const run = Bun.spawn([process.execPath, '-e', script], { cwd: `${import.meta.dir}/../..`, stdout: 'pipe' })
  const printed = await new Response(run.stdout).text()
  await run.exited
  await upstream.close()
  expect(printed.trim()).toBe('200 0')
})
