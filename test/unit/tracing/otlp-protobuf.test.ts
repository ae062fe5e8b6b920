import { describe, expect, test } from 'bun:test'
import { createTraceState, SpanKind, SpanStatusCode } from '@opentelemetry/api'
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer'
import { resourceFromAttributes } from '@opentelemetry/resources'
import type { ReadableSpan } from '@opentelemetry/sdk-trace'
import { otlpBatchSerializer } from '../../../src/tracing/otlp-protobuf.ts'
import { RecordedSpan, type SpanOrigin } from '../../../src/tracing/recorded-span.ts'
import { SpanBatches } from '../../../src/tracing/span-batches.ts'

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736'
const resource = resourceFromAttributes({
  'service.name': 'proxmcp-test',
  'deployment.tier': 3,
  canary: true,
})
const instrumentationScope = { name: 'proxmcp', version: '9.9.9' }

interface SentBatch {
  count: number
  /** The request as the exporter sent it, in hex. */
  request: string
}

/**
 * Spans as ProxMCP records them, written as they end, in batches serialized when they are
 * exported (as the SDK's exporter does: the batch's buffer is written into again once it is sent).
 */
function recording(
  options = { maxBatch: 10_000, delayMs: 60_000, maxWaitingSpans: 100_000, maxConcurrentExports: 8 },
  spanResource = resource,
) {
  const serializer = otlpBatchSerializer(spanResource, instrumentationScope)
  const batches: SentBatch[] = []
  const spans: ReadableSpan[] = []
  const batcher = new SpanBatches(
    {
      export: (batch, done) => {
        const request = serializer.serializeRequest(batch) as Uint8Array
        batches.push({ count: batch.count, request: Buffer.from(request).toString('hex') })
        done({ code: 0 })
      },
      shutdown: async () => {},
    },
    options,
  )
  const origin: SpanOrigin = {
    resource: spanResource,
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

/** What the SDK's serializer writes for the same spans. */
function sdkEncoding(spans: ReadableSpan[]): string {
  return Buffer.from(ProtobufTraceSerializer.serializeRequest(spans) as Uint8Array).toString('hex')
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
    const ours = (batches[0] as SentBatch).request
    expect(ours.length).toBeGreaterThan(200_000)
    expect(ours).toBe(sdkEncoding(spans))
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

  test("full batches, sent from the buffer they were written in, are the SDK's bytes, batch after batch", async () => {
    const { origin, batches, spans, batcher } = recording({
      maxBatch: 3,
      delayMs: 60_000,
      maxWaitingSpans: 100,
      maxConcurrentExports: 8,
    })
    // Span 4 outgrows the batch's buffer, which is then replaced rather than written into again.
    for (let i = 0; i < 9; i++) {
      const long = 'é'.repeat(i === 4 ? 5_000 : i * 40)
      new RecordedSpan(origin, `call ${i}`, SpanKind.CLIENT, { i, long }, TRACE).end()
    }
    await batcher.shutdown()
    expect(batches.map((batch) => batch.request)).toEqual([
      sdkEncoding(spans.slice(0, 3)),
      sdkEncoding(spans.slice(3, 6)),
      sdkEncoding(spans.slice(6, 9)),
    ])
  })

  test('a resource with a schema URL is wrapped as the SDK wraps it', async () => {
    const withSchema = resourceFromAttributes(
      { 'service.name': 'proxmcp-test' },
      { schemaUrl: 'https://opentelemetry.io/schemas/1.37.0' },
    )
    const { origin, batches, spans, batcher } = recording(
      { maxBatch: 2, delayMs: 60_000, maxWaitingSpans: 100, maxConcurrentExports: 8 },
      withSchema,
    )
    for (let i = 0; i < 2; i++) new RecordedSpan(origin, `s${i}`, SpanKind.SERVER, {}, TRACE).end()
    await batcher.shutdown()
    expect(batches[0]?.request).toContain(Buffer.from('schemas/1.37.0').toString('hex'))
    expect(batches[0]?.request).toBe(sdkEncoding(spans))
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
      const ours = (batches[0] as SentBatch).request
      expect(ours).toBe(sdkEncoding([at]))
      const nanos = BigInt(time[0]) * 1_000_000_000n + BigInt(time[1])
      expect(ours).toContain(Buffer.from(new BigUint64Array([nanos]).buffer).toString('hex'))
    }
  })
})
