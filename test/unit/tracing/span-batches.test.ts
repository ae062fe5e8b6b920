import { expect, test } from 'bun:test'
import { SpanKind } from '@opentelemetry/api'
import { resourceFromAttributes } from '@opentelemetry/resources'
import { RecordedSpan } from '../../../src/tracing/recorded-span.ts'
import {
  type BatchExporter,
  SpanBatches,
  type SpanBatchesOptions,
} from '../../../src/tracing/span-batches.ts'

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736'
const resource = resourceFromAttributes({ 'service.name': 'proxmcp-test' })

/** Batches of one span each, unless `options` say otherwise, sent with `send`. */
function batchesTo(send: BatchExporter['export'], options: Partial<SpanBatchesOptions> = {}) {
  return new SpanBatches(
    { export: send, shutdown: async () => {} },
    { maxBatch: 1, delayMs: 60_000, maxWaitingSpans: 1_000, maxConcurrentExports: 8, ...options },
  )
}

function endSpans(batcher: SpanBatches, count: number): void {
  const origin = { resource, instrumentationScope: { name: 'proxmcp' }, sink: batcher }
  for (let i = 0; i < count; i++) new RecordedSpan(origin, `s${i}`, SpanKind.INTERNAL, {}, TRACE).end()
}

test('one batch is sent at a time; batches past the spans allowed to wait are dropped, the rest sent at shutdown', async () => {
  const exported: number[] = []
  const finish: (() => void)[] = []
  const batcher = batchesTo(
    (batch, done) => {
      exported.push(batch.count)
      finish.push(() => done({ code: 0 }))
    },
    { maxWaitingSpans: 2 },
  )
  endSpans(batcher, 5)
  // The first is under way, two wait, two found no room.
  expect(exported).toEqual([1])
  finish.shift()?.()
  await Bun.sleep(0)
  expect(exported).toEqual([1, 1])
  const stopped = batcher.shutdown()
  await Bun.sleep(0)
  expect(exported).toEqual([1, 1, 1])
  for (const done of finish.splice(0)) done()
  await stopped
  expect(exported).toHaveLength(3)
})

test('while an export is slow, small batches sealed by the timer wait up to the span bound, not a batch count', async () => {
  const exported: number[] = []
  const batcher = batchesTo((batch) => void exported.push(batch.count), { maxBatch: 512, delayMs: 1 })
  for (let i = 0; i < 100; i++) {
    endSpans(batcher, 1)
    await Bun.sleep(2)
  }
  // The first export never finishes; the 99 one-span batches sealed since all wait.
  expect(exported).toEqual([1])
  expect((batcher as unknown as { waiting: unknown[] }).waiting).toHaveLength(99)
})

test('lost spans are told: a batch with no room to wait, a refused export with its reason, an exporter that throws', async () => {
  const lost: string[] = []
  const onLost = (spans: number, why: string) => void lost.push(`${spans}: ${why}`)
  const refusing: BatchExporter['export'] = (_batch, done) =>
    done({ code: 1, error: new Error('collector said no') })
  let calls = 0
  const throwingOnce: BatchExporter['export'] = (_batch, done) => {
    calls++
    if (calls === 1) throw new Error('boom')
    done({ code: 0 })
  }
  const batchers = [
    batchesTo(refusing, { maxWaitingSpans: 0, onLost }),
    batchesTo(refusing, { onLost }),
    batchesTo(throwingOnce, { onLost }),
  ]
  for (const batcher of batchers) endSpans(batcher, 1)
  endSpans(batchers[2] as SpanBatches, 2)
  await Promise.all(batchers.map((batcher) => batcher.shutdown()))
  expect(lost).toEqual(['1: 0 spans already wait for the collector', '1: collector said no', '1: boom'])
  // After the throw the next batches went on.
  expect(calls).toBe(3)
})

test('at shutdown, what waits goes in waves the exporter can take', async () => {
  let inFlight = 0
  let most = 0
  let sent = 0
  const batcher = batchesTo(
    (_batch, done) => {
      inFlight++
      most = Math.max(most, inFlight)
      setTimeout(() => {
        inFlight--
        sent++
        done({ code: 0 })
      }, 5)
    },
    { maxConcurrentExports: 4 },
  )
  endSpans(batcher, 20)
  await batcher.shutdown()
  expect(sent).toBe(20)
  expect(most).toBeLessThanOrEqual(4)
})
