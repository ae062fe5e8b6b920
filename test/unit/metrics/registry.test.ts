import { expect, test } from 'bun:test'
import { Counter, Histogram, renderMetrics } from '../../../src/metrics/registry.ts'

test('histogram buckets are cumulative, as Prometheus reads them', () => {
  const histogram = new Histogram('latency_seconds', 'Latency.', [0.001, 0.01, 1])
  for (const seconds of [0.0005, 0.001, 0.005, 0.005, 2]) histogram.observe({ upstream: 'a' }, seconds)
  const lines = histogram.render().split('\n')
  expect(lines).toContain('latency_seconds_bucket{upstream="a",le="0.001"} 2')
  expect(lines).toContain('latency_seconds_bucket{upstream="a",le="0.01"} 4')
  expect(lines).toContain('latency_seconds_bucket{upstream="a",le="1"} 4')
  expect(lines).toContain('latency_seconds_bucket{upstream="a",le="+Inf"} 5')
  expect(lines).toContain('latency_seconds_count{upstream="a"} 5')
  expect(lines).toContain('latency_seconds_sum{upstream="a"} 2.0115')
})

test('label sets are series of their own, values escaped', () => {
  const counter = new Counter('calls_total', 'Calls.')
  counter.inc({ method: 'tools/call', status: '200' })
  counter.inc({ method: 'tools/call', status: '200' })
  counter.inc({ method: 'say "hi"\\', status: '500' }, 3)
  expect(renderMetrics([counter])).toBe(
    [
      '# HELP calls_total Calls.',
      '# TYPE calls_total counter',
      'calls_total{method="tools/call",status="200"} 2',
      'calls_total{method="say \\"hi\\"\\\\",status="500"} 3',
      '',
    ].join('\n'),
  )
})
