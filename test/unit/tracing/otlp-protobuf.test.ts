import { describe, expect, test } from 'bun:test'
import { createTraceState, SpanKind, SpanStatusCode } from '@opentelemetry/api'
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer'
import { resourceFromAttributes } from '@opentelemetry/resources'
import type { ReadableSpan } from '@opentelemetry/sdk-trace'
import { type EncodedSpans, otlpBatchSerializer } from '../../../src/tracing/otlp-protobuf.ts'
import { RecordedSpan, type SpanOrigin } from '../../../src/tracing/recorded-span.ts'
import { SpanBatches } from '../../../src/tracing/span-batches.ts'

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736'
const resource = resourceFromAttributes({
  'service.name': 'proxmcp-test',
  'deployment.tier': 3,
  canary: true,
})
const instrumentationScope = { name: 'proxmcp', version: '9.9.9' }

/** Spans as ProxMCP records them, written as they end, in batches kept here. */
function recording(
  options = { maxBatch: 10_000, delayMs: 60_000, maxWaitingSpans: 100_000, maxConcurrentExports: 8 },
) {
  const batches: EncodedSpans[] = []
  const spans: ReadableSpan[] = []
  const batcher = new SpanBatches(
    {
      export: (batch, done) => {
        batches.push(batch)
        done({ code: 0 })
      },
      shutdown: async () => {},
    },
    options,
  )
  const origin: SpanOrigin = {
    resource,
    instrumentationScope,
    sink: {
      onEnd: (span) => {
        spans.push(span)
        batcher.onEnd(span)
      },
    },
  }
  return { origin, batches, spans, batcher }
}

/** What the exporter sends, next to what the SDK's serializer writes for the same spans. */
function bothEncodings(batch: EncodedSpans, spans: ReadableSpan[]) {
  const ours = otlpBatchSerializer(resource, instrumentationScope).serializeRequest(batch) as Uint8Array
  const sdks = ProtobufTraceSerializer.serializeRequest(spans) as Uint8Array
  return [Buffer.from(ours).toString('hex'), Buffer.from(sdks).toString('hex')]
}

describe('spans written as they end', () => {
  test('are sent as the bytes the SDK writes, for every kind of field ProxMCP sets', async () => {
    const { origin, batches, spans, batcher } = recording()
    const parent = {
      traceId: TRACE,
      spanId: '00f067aa0ba902b7',
      traceFlags: 1,
      isRemote: true,
      traceState: createTraceState('vendor=opaque,other=1'),
    }
    const attributes = {
      'mcp.method.name': 'tools/call',
      'url.path': `/mcp/${'x'.repeat(300)}`,
      ratio: 0.25,
      big: 2 ** 40,
    }
    const server = new RecordedSpan(origin, 'tools/call résumé_☃', SpanKind.SERVER, attributes, TRACE, parent)
    const call = new RecordedSpan(
      origin,
      'tools/call alpha',
      SpanKind.CLIENT,
      { 'proxmcp.outcome': 'error' },
      TRACE,
      server.spanContext(),
    )
    call.addEvent('retry')
    call.addEvent('timeout')
    call.end({ code: SpanStatusCode.ERROR, message: 'upstream said no — 🙅' })
    Object.assign(server.attributes, { 'http.response.status_code': 200, 'enduser.id': 'ålice' })
    server.end()
    new RecordedSpan(origin, 'initialize', SpanKind.SERVER, {}, '0af7651916cd43dd8448eb211c80319c').end()
    for (let i = 0; i < 600; i++)
      new RecordedSpan(origin, `span ${i}`, SpanKind.CLIENT, { i, 'x.y': 'z'.repeat(i % 200) }, TRACE).end()
    await batcher.shutdown()

    expect(batches).toHaveLength(1)
    expect(batches[0]?.count).toBe(603)
    const [ours, sdks] = bothEncodings(batches[0] as EncodedSpans, spans)
    expect(ours?.length).toBeGreaterThan(200_000)
    expect(ours).toBe(sdks as string)
  })

  test('go out when a batch is full, after the delay, and at shutdown; none after', async () => {
    const { origin, batches, batcher } = recording({
      maxBatch: 2,
      delayMs: 20,
      maxWaitingSpans: 100_000,
      maxConcurrentExports: 8,
    })
    const span = () => new RecordedSpan(origin, 's', SpanKind.INTERNAL, {}, TRACE).end()
    for (let i = 0; i < 5; i++) span()
    await Bun.sleep(0)
    expect(batches.map((batch) => batch.count)).toEqual([2, 2])
    await Bun.sleep(60)
    expect(batches.map((batch) => batch.count)).toEqual([2, 2, 1])
    span()
    await batcher.shutdown()
    span()
    await Bun.sleep(40)
    expect(batches.map((batch) => batch.count)).toEqual([2, 2, 1, 1])
  })

  test('times far from now are written exactly', async () => {
    const times: [number, number][] = [
      [0, 0],
      [1, 999_999_999],
      [4_294_967_295, 999_999_999],
      [1_796_000_000, 123_456_789],
    ]
    for (const time of times) {
      const { origin, batches, batcher } = recording()
      const span = new RecordedSpan(
        { ...origin, sink: { onEnd: () => {} } },
        's',
        SpanKind.INTERNAL,
        {},
        TRACE,
      )
      span.end()
      const at = Object.create(span, { startTime: { value: time }, endTime: { value: time } })
      batcher.onEnd(at)
      await batcher.shutdown()
      const [ours, sdks] = bothEncodings(batches[0] as EncodedSpans, [at])
      expect(ours).toBe(sdks as string)
      const nanos = BigInt(time[0]) * 1_000_000_000n + BigInt(time[1])
      expect(ours).toContain(Buffer.from(new BigUint64Array([nanos]).buffer).toString('hex'))
    }
  })
})
