import { expect, test } from 'bun:test'
import { lossReport } from '../../../src/tracing/loss-report.ts'

test('the first loss is told at once, later ones together once the quiet time is over', async () => {
  const told: string[] = []
  const report = lossReport((message) => void told.push(message), 40)
  report(512, 'HTTP 503')
  expect(told).toEqual(['tracing: 512 spans were not exported (HTTP 503)'])
  report(10, 'HTTP 503')
  report(20, 'timeout')
  expect(told).toHaveLength(1)
  await Bun.sleep(80)
  expect(told).toEqual([
    'tracing: 512 spans were not exported (HTTP 503)',
    'tracing: 30 spans were not exported (timeout)',
  ])
})
