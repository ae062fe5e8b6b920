import { describe, expect, test } from 'bun:test'
import { resourceFromAttributes } from '@opentelemetry/resources'
import type { ReadableSpan } from '@opentelemetry/sdk-trace'
import type { ProxMCPContext } from '../../../src/plugins/types.ts'
import { otlpTracing } from '../../../src/tracing/otlp-tracing.ts'

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736'
const upstream = { id: 'alpha', transport: 'http' }

function tracingWith(sampled: boolean) {
  const finished: ReadableSpan[] = []
  const asked: string[] = []
  const tracing = otlpTracing({
    resource: resourceFromAttributes({}),
    instrumentationScope: { name: 'proxmcp' },
    sink: { onEnd: (span) => finished.push(span) },
    sampled: (traceId) => {
      asked.push(traceId)
      return sampled
    },
    close: async () => {},
  })
  return { tracing, finished, asked }
}

function callRequest(headers: Record<string, string> = {}) {
  const ctx: ProxMCPContext = {
    requestId: '1',
    http: { method: 'POST', path: '/mcp' },
    rpc: { method: 'tools/call', id: 7, params: { name: 'echo' } },
    identity: 'alice',
    state: new Map(),
  }
  return { ctx, request: new Request('http://proxy/mcp', { method: 'POST', headers }) }
}

describe('otlpTracing', () => {
  test('a new trace the sampler keeps records the server span and its upstream call as one trace', () => {
    const { tracing, finished, asked } = tracingWith(true)
    const { ctx, request } = callRequest()
    const trace = tracing.request(ctx, request)
    const call = trace.call(upstream, 'tools/call')
    call.event('retry')
    call.end('error', Object.assign(new Error('gone'), { code: -32010 }))
    ctx.upstream = 'alpha'
    trace.end(200)
    trace.end(500)

    expect(asked).toEqual([trace.traceId])
    const [client, server] = finished as [ReadableSpan, ReadableSpan]
    expect(finished).toHaveLength(2)
    expect(server.name).toBe('tools/call echo')
    expect(server.parentSpanContext).toBeUndefined()
    expect(server.attributes).toMatchObject({ 'http.response.status_code': 200, 'enduser.id': 'alice' })
    expect(server.status.code).toBe(0)
    expect(client.parentSpanContext?.spanId).toBe(server.spanContext().spanId)
    expect(client.spanContext().traceId).toBe(trace.traceId)
    expect(call.context.traceparent).toBe(`00-${trace.traceId}-${client.spanContext().spanId}-01`)
    expect(client.attributes).toMatchObject({ 'rpc.response.status_code': '-32010', 'error.type': '-32010' })
    expect(client.status).toEqual({ code: 2, message: 'gone' })
    expect(client.events.map((event) => event.name)).toEqual(['retry'])
    expect(client.endTime[0] * 1e9 + client.endTime[1]).toBeGreaterThanOrEqual(
      client.startTime[0] * 1e9 + client.startTime[1],
    )
  })

  test("a client's sampled flag is followed whatever the ratio, and its tracestate goes upstream", () => {
    const { tracing, finished, asked } = tracingWith(false)
    const { ctx, request } = callRequest({
      traceparent: `00-${TRACE}-00f067aa0ba902b7-01`,
      tracestate: 'vendor=opaque',
    })
    const trace = tracing.request(ctx, request)
    const call = trace.call(upstream, 'tools/call')
    call.end('ok')
    trace.end(200)
    expect(asked).toEqual([])
    expect(trace.traceId).toBe(TRACE)
    expect(finished.map((span) => span.parentSpanContext?.spanId)).toEqual([
      (finished[1] as ReadableSpan).spanContext().spanId,
      '00f067aa0ba902b7',
    ])
    expect(call.context.tracestate).toBe('vendor=opaque')
  })

  test('an unsampled trace records nothing, and the upstream still gets its context marked not sampled', () => {
    for (const [headers, sampled] of [
      [{ traceparent: `00-${TRACE}-00f067aa0ba902b7-00`, tracestate: 'v=1' }, true],
      [{}, false],
    ] as const) {
      const { tracing, finished } = tracingWith(sampled)
      const { ctx, request } = callRequest(headers)
      const trace = tracing.request(ctx, request)
      const call = trace.call(upstream, 'tools/call')
      call.end('ok')
      trace.end(200)
      expect(finished).toEqual([])
      expect(call.context.traceparent).toMatch(new RegExp(`^00-${trace.traceId}-[0-9a-f]{16}-00$`))
      expect(call.context.tracestate).toBe('traceparent' in headers ? 'v=1' : undefined)
    }
  })
})
