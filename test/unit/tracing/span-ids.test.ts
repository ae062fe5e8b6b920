import { expect, test } from 'bun:test'
import { randomHex } from '../../../src/tracing/span-ids.ts'

test('trace and span ids are lowercase hex of their length, and distinct across pool refills', () => {
  const spans = Array.from({ length: 2_000 }, () => randomHex(16))
  const traces = Array.from({ length: 2_000 }, () => randomHex(32))
  for (const id of spans) expect(id).toMatch(/^[0-9a-f]{16}$/)
  for (const id of traces) expect(id).toMatch(/^[0-9a-f]{32}$/)
  expect(new Set(spans).size).toBe(spans.length)
  expect(new Set(traces).size).toBe(traces.length)
  // Every hex digit turns up: the bytes are encoded whole, not a subset of them.
  expect(new Set(traces.join('')).size).toBe(16)
})
