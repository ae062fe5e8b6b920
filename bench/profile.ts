/**
 * Profiles ProxMCP under load: `bun bench/profile.ts [--era both|legacy] [--op call|list]
 * [--clients N] [--requests N] [--interval µs] [--root DIR] [--trace]`. Runs the proxy with
 * `bun --cpu-prof --cpu-prof-md` in front of the bench's HTTP upstream, drives it from the load
 * generator, stops it gracefully so the profile is written (bench/results/profiles/, emptied first),
 * and prints the share of samples by package and src/ file. `--trace` exports every request's spans
 * to a loopback OTLP sink.
 */
import { readdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { otlpSink } from './lib/otlp-sink.ts'
import { BENCH_DIR } from './lib/paths.ts'
import { stopAll } from './lib/processes.ts'
import { summarizeProfile } from './lib/profile-summary.ts'
import { startLoadGenerator } from './load/load-client.ts'
import type { Op } from './load/session.ts'
import { startHttpUpstreams } from './targets/http-upstream.ts'
import { startProxmcp } from './targets/proxmcp.ts'

const { values } = parseArgs({
  options: {
    era: { type: 'string', default: 'legacy' },
    op: { type: 'string', default: 'call' },
    clients: { type: 'string', default: '1' },
    requests: { type: 'string', default: '5000' },
    interval: { type: 'string', default: '100' },
    root: { type: 'string' },
    trace: { type: 'boolean', default: false },
  },
})
const dir = join(BENCH_DIR, 'results', 'profiles')
rmSync(dir, { recursive: true, force: true })
const load = startLoadGenerator()
const sink = values.trace ? otlpSink() : undefined
try {
  const upstream = await startHttpUpstreams('profile-upstream', {
    count: 1,
    fillerTools: 10,
    era: values.era === 'both' ? 'both' : 'legacy',
  })
  const proxy = await startProxmcp('profile-proxmcp', {
    upstreams: upstream.urls,
    bunFlags: [
      '--cpu-prof',
      '--cpu-prof-md',
      `--cpu-prof-dir=${dir}`,
      `--cpu-prof-interval=${values.interval}`,
    ],
    ...(values.root && { root: values.root }),
    ...(sink && { env: sink.tracingEnv() }),
  })
  const clients = Number(values.clients)
  await load.send({
    cmd: 'open',
    target: 'proxy',
    driver: 'raw',
    endpoint: proxy.url,
    sessions: clients,
    warmTool: 'echo',
  })
  const result = await load.run('proxy', {
    op: values.op as Op,
    tool: 'echo',
    concurrency: clients,
    requests: Number(values.requests),
    warmup: 200,
    timeLimitMs: 60_000,
  })
  process.stderr.write(`${JSON.stringify(result)}\n`)
  await load.send({ cmd: 'close', target: 'proxy' })
  await proxy.stop()
  const files = readdirSync(dir).map((file) => join(dir, file))
  for (const file of files.filter((name) => name.endsWith('.cpuprofile'))) {
    process.stdout.write(`${file}\n${summarizeProfile(file).join('\n')}\n`)
  }
} finally {
  await load.stop()
  sink?.stop()
  await stopAll()
}
