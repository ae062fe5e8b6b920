/**
 * Tracing's CPU cost, paired: `bun bench/tracing-ab.ts [--clients N] [--reps N] [--requests N]`.
 * A plain proxy, one with tracing configured but nothing sampled, and one tracing every request
 * (OTLP/HTTP to a loopback sink) serve the same upstream. After a long warm-up (the JIT compiles
 * the span writer late) they take turns, in an order rotated every repetition, and each
 * repetition's proxy CPU per call is divided by the plain proxy's in the same repetition, so that
 * the machine's drift cancels. Prints the medians. For differences under the bench's noise
 * (case 5's rows spread 20–40% on 2 cores); slower than case 5, and tools/call only.
 */
import { parseArgs } from 'node:util'
import { otlpSink } from './lib/otlp-sink.ts'
import { cpuMsOf } from './lib/proc-stats.ts'
import { stopAll } from './lib/processes.ts'
import { median } from './lib/stats.ts'
import { startLoadGenerator } from './load/load-client.ts'
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
const clients = Number(values.clients)
const requests = Number(values.requests)
const load = startLoadGenerator()
const sink = otlpSink()
try {
  const upstream = await startHttpUpstreams('ab-upstream', { count: 1, fillerTools: 10, era: 'both' })
  const contenders: Record<string, Record<string, string>> = {
    plain: {},
    unsampled: {
      OTEL_EXPORTER_OTLP_ENDPOINT: sink.url,
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0',
    },
    traced: { OTEL_EXPORTER_OTLP_ENDPOINT: sink.url },
  }
  const proxies: { name: string; pid: number }[] = []
  for (const [name, env] of Object.entries(contenders)) {
    const proxy = await startProxmcp(`ab-${name}`, { upstreams: upstream.urls, env })
    await load.send({
      cmd: 'open',
      target: name,
      driver: 'raw',
      endpoint: proxy.url,
      sessions: clients,
      warmTool: 'echo',
    })
    proxies.push({ name, pid: proxy.pid })
  }
  const run = (name: string, count: number) =>
    load.run(name, {
      op: 'call',
      tool: 'echo',
      concurrency: clients,
      requests: count,
      warmup: 50,
      timeLimitMs: 300_000,
    })
  for (const { name } of proxies) await run(name, Number(values.warmup))
  const cpuPerCall = new Map(proxies.map(({ name }) => [name, [] as number[]]))
  for (let rep = 0; rep < Number(values.reps); rep++) {
    const turn = rep % proxies.length
    for (const { name, pid } of [...proxies.slice(turn), ...proxies.slice(0, turn)]) {
      const before = cpuMsOf(pid)
      await run(name, requests)
      cpuPerCall.get(name)?.push(((cpuMsOf(pid) - before) * 1000) / requests)
    }
  }
  const plain = cpuPerCall.get('plain') as number[]
  for (const [name, own] of cpuPerCall) {
    const ratios = own.map((value, rep) => value / (plain[rep] as number))
    console.log(
      `${name.padEnd(10)} ${median(own).toFixed(1)} µs proxy CPU per call, ${median(ratios).toFixed(3)}× plain (median of ${ratios.length} paired repetitions)`,
    )
  }
} finally {
  await load.stop()
  sink.stop()
  await stopAll()
}
