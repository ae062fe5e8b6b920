import { describe, expect, test } from 'bun:test'
import { createTraceState, SpanKind, SpanStatusCode } from '@opentelemetry/api'
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer'
import { resourceFromAttributes } from '@opentelemetry/resources'
import type { ReadableSpan } from '@opentelemetry/sdk-trace'
import { otlpProtobuf } from '../../../src/tracing/otlp-protobuf.ts'
import { RecordedSpan, type SpanOrigin } from '../../../src/tracing/recorded-span.ts'

function origin(finished: ReadableSpan[], attributes: Record<string, string | number | boolean | string[]>) {
  return {
    resource: resourceFromAttributes(attributes),
    instrumentationScope: { name: 'proxmcp', version: '9.9.9' },
    sink: { onEnd: (span) => finished.push(span) },
  } satisfies SpanOrigin
}

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736'

describe('otlpProtobuf', () => {
  test('writes the bytes the SDK writes, for spans with every kind of field ProxMCP sets', () => {
    const finished: ReadableSpan[] = []
    const tracer = origin(finished, { 'service.name': 'proxmcp-test', 'deployment.tier': 3, canary: true })
    const parent = {
      traceId: TRACE,
      spanId: '00f067aa0ba902b7',
      traceFlags: 1,
      isRemote: true,
      traceState: createTraceState('vendor=opaque,other=1'),
    }
    const server = new RecordedSpan(
      tracer,
      'tools/call résumé_☃',
      SpanKind.SERVER,
      { 'mcp.method.name': 'tools/call', 'url.path': `/mcp/${'x'.repeat(300)}`, ratio: 0.25, big: 2 ** 40 },
      TRACE,
      parent,
    )
    const call = new RecordedSpan(
      tracer,
      'tools/call alpha',
      SpanKind.CLIENT,
      { a: 'b' },
      TRACE,
      server.spanContext(),
    )
    call.addEvent('retry')
    call.addEvent('timeout')
    call.end({ code: SpanStatusCode.ERROR, message: 'upstream said no — 🙅' })
    Object.assign(server.attributes, { 'http.response.status_code': 200, 'enduser.id': 'ålice' })
    server.end()
    const root = new RecordedSpan(
      tracer,
      'initialize',
      SpanKind.SERVER,
      {},
      '0af7651916cd43dd8448eb211c80319c',
    )
    root.end()

    const ours = otlpProtobuf.serializeRequest(finished)
    const sdks = ProtobufTraceSerializer.serializeRequest(finished)
    expect(ours.length).toBeGreaterThan(500)
    expect(Buffer.from(ours).toString('hex')).toBe(Buffer.from(sdks as Uint8Array).toString('hex'))
  })

  test('a batch whose lengths need several bytes, from two resources, matches too', () => {
    const finished: ReadableSpan[] = []
    const first = origin(finished, { 'service.name': 'one' })
    const second = origin(finished, { 'service.name': 'two', tags: ['a', 'b'] })
    for (let i = 0; i < 600; i++) {
      const attributes = { i, 'x.y': 'z'.repeat(i % 200) }
      new RecordedSpan(i % 3 ? first : second, `span ${i}`, SpanKind.CLIENT, attributes, TRACE).end()
    }
    const ours = otlpProtobuf.serializeRequest(finished)
    expect(ours.length).toBeGreaterThan(100_000)
    expect(
      Buffer.compare(
        Buffer.from(ours),
        Buffer.from(ProtobufTraceSerializer.serializeRequest(finished) as Uint8Array),
      ),
    ).toBe(0)
  })

  test('times far from now are written exactly', () => {
    const finished: ReadableSpan[] = []
    const span = new RecordedSpan(origin(finished, {}), 's', SpanKind.INTERNAL, {}, TRACE)
    span.end()
    const times: [number, number][] = [
      [0, 0],
      [1, 999_999_999],
      [4_294_967_295, 999_999_999],
      [1_796_000_000, 123_456_789],
    ]
    for (const time of times) {
      const at = Object.create(span, { startTime: { value: time }, endTime: { value: time } })
      const ours = Buffer.from(otlpProtobuf.serializeRequest([at]))
      expect(ours.toString('hex')).toBe(
        Buffer.from(ProtobufTraceSerializer.serializeRequest([at]) as Uint8Array).toString('hex'),
      )
      const nanos = BigInt(time[0]) * 1_000_000_000n + BigInt(time[1])
      expect(ours.includes(Buffer.from(new BigUint64Array([nanos]).buffer))).toBe(true)
    }
  })
})
