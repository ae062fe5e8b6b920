import { expect, test } from 'bun:test'
import { LossReport } from '../../../src/tracing/loss-report.ts'

test('the first loss is told at once, later ones together once the quiet time is over', async () => {
  const told: string[] = []
  const report = new LossReport((message) => void told.push(message), 40)
  report.add(512, 'HTTP 503')
  expect(told).toEqual(['tracing: 512 spans were not exported (HTTP 503)'])
  report.add(10, 'HTTP 503')
  report.add(20, 'timeout')
  expect(told).toHaveLength(1)
  await Bun.sleep(80)
  expect(told).toEqual([
    'tracing: 512 spans were not exported (HTTP 503)',
    'tracing: 30 spans were not exported (timeout)',
  ])
})

test('a loss told directly while a later telling is scheduled tells nothing twice, and nothing of zero', async () => {
  const told: string[] = []
  const report = new LossReport((message) => void told.push(message), 30)
  report.add(1, 'a')
  report.add(5, 'b')
  const until = Date.now() + 50
  while (Date.now() < until) {
    // The event loop is busy: the scheduled telling cannot run.
  }
  report.add(2, 'c')
  await Bun.sleep(80)
  expect(told).toEqual(['tracing: 1 spans were not exported (a)', 'tracing: 7 spans were not exported (c)'])
})

test('flush tells what the quiet time still holds (the proxy stops)', () => {
  const told: string[] = []
  const report = new LossReport((message) => void told.push(message), 60_000)
  report.add(1, 'x')
  report.add(5, 'refused')
  report.flush()
  report.flush()
  expect(told).toEqual([
    'tracing: 1 spans were not exported (x)',
    'tracing: 5 spans were not exported (refused)',
  ])
})
