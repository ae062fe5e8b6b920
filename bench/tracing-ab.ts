/**
 * Tracing's CPU cost, paired: `bun bench/tracing-ab.ts [--clients N] [--reps N] [--requests N]
 * [--warmup N]` (calls each proxy serves, unmeasured, before the repetitions: 30,000).
 * A plain proxy, one with tracing configured but nothing sampled, and one tracing every request
 * (OTLP/HTTP to a loopback sink) serve the same upstream. After a long warm-up (the JIT compiles
 * the span writer late) they take turns, in an order that changes every repetition, and
 * each repetition's proxy CPU per call is divided by the plain proxy's in the same repetition, so
 * that the machine's drift cancels. A second plain proxy (plain-2) shows what no difference reads
 * as in the same run: each process has a cost of its own (±5% on 2 cores) that repetitions do not
 * average out, so compare several runs. Prints the medians and the middle half of the ratios. For
 * differences under the bench's noise (case 5's rows spread 20–40%); tools/call only.
 */
import { parseArgs } from 'node:util'
import { type Contender, measure } from './lib/measure.ts'
import { otlpSink } from './lib/otlp-sink.ts'
import { stopAll } from './lib/processes.ts'
import { median, quantile } from './lib/stats.ts'
import { startLoadGenerator } from './load/load-client.ts'
import { pairedRatios } from './report/compare.ts'
import { startHttpUpstreams } from './targets/http-upstream.ts'
import { startProxmcp } from './targets/proxmcp.ts'

const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '1' },
    reps: { type: 'string', default: '20' },
    requests: { type: 'string', default: '4000' },
    warmup: { type: 'string', default: '30000' },
  },
})
const load = startLoadGenerator()
const sink = otlpSink()
try {
  const upstream = await startHttpUpstreams('ab-upstream', { count: 1, fillerTools: 10, era: 'both' })
  const environments: Record<string, Record<string, string>> = {
    plain: {},
    'plain-2': {},
    unsampled: sink.tracingEnv(0),
    traced: sink.tracingEnv(),
  }
  const contenders: Contender[] = []
  for (const [name, env] of Object.entries(environments)) {
    const proxy = await startProxmcp(`ab-${name}`, { upstreams: upstream.urls, env })
    contenders.push({ name, driver: 'raw', endpoint: proxy.url, tool: 'echo', proxyPid: proxy.pid })
  }
  const measurements = await measure(
    load,
    contenders,
    {
      ops: ['call'],
      concurrencies: [Number(values.clients)],
      requests: () => Number(values.requests),
      warmup: 50,
      prime: Number(values.warmup),
      reps: Number(values.reps),
      timeLimitMs: 300_000,
    },
    (line) => console.log(line),
  )
  const plain = measurements.find((measurement) => measurement.target === 'plain')
  if (!plain) throw new Error('the plain proxy was not measured')
  const base = plain.repProxyCpuUsPerRequest ?? []
  console.log(`${'plain'.padEnd(11)} ${plain.proxyCpuUsPerRequest?.toFixed(1)} µs proxy CPU per call`)
  for (const measurement of measurements) {
    if (measurement === plain) continue
    const ratios = pairedRatios(measurement.repProxyCpuUsPerRequest ?? [], base).sort((a, b) => a - b)
    const middle = `${quantile(ratios, 0.25).toFixed(3)}–${quantile(ratios, 0.75).toFixed(3)}`
    console.log(
      `${measurement.target.padEnd(11)} ${measurement.proxyCpuUsPerRequest?.toFixed(1)} µs proxy CPU per call, ${median(ratios).toFixed(3)}× plain (middle half ${middle}; ${ratios.length} paired repetitions)`,
    )
  }
} finally {
  await load.stop()
  sink.stop()
  await stopAll()
}
