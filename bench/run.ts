/**
 * ProxMCP benchmark: `npm run bench`, or `bun bench/run.ts [--cases 0,1,7] [--reps N] [--quick]
 * [--compare-root DIR]` (DIR: another checkout, e.g. with a fix applied, measured beside this one in
 * case 1). Set BENCH_PROXMCP_ROOT to benchmark another checkout altogether. Prints a markdown
 * report and writes bench/results/latest.json and latest.md.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { aggregate } from './cases/aggregate.ts'
import type { CaseContext, CaseResult } from './cases/case-types.ts'
import { cluster } from './cases/cluster.ts'
import { type CompiledResult, compiled } from './cases/compiled.ts'
import { credentials } from './cases/credentials.ts'
import { directVsProxy } from './cases/direct-vs-proxy.ts'
import { loadGeneratorCheck } from './cases/load-generator-check.ts'
import { observability } from './cases/observability.ts'
import { stdioPeers } from './cases/stdio-peers.ts'
import type { Plan } from './lib/measure.ts'
import { BENCH_DIR, NODE, PROXMCP_ROOT } from './lib/paths.ts'
import { stopAll } from './lib/processes.ts'
import { median } from './lib/stats.ts'
import { startLoadGenerator } from './load/load-client.ts'
import { ratios } from './report/compare.ts'
import { renderCase, renderCompiled, renderTargets } from './report/markdown.ts'
import { checkTargets } from './report/targets.ts'

/** The whole bench is abandoned (and every process ended) after this long. */
const HARD_LIMIT_MS = 20 * 60_000
const REQUESTS: Record<number, number> = { 1: 1_500, 16: 3_000, 64: 4_500 }

const { values } = parseArgs({
  options: {
    cases: { type: 'string', default: '0,1,2,3,4,5,6,7' },
    reps: { type: 'string', default: '3' },
    quick: { type: 'boolean', default: false },
    scale: { type: 'string', default: '1' },
    'compare-root': { type: 'string' },
  },
})
const selected = new Set(values.cases.split(',').map((id) => id.trim()))
const scale = values.quick ? 0.25 : Number(values.scale)
const plan: Plan = {
  ops: ['call', 'list'],
  concurrencies: [1, 16, 64],
  requests: (concurrency) => Math.round((REQUESTS[concurrency] ?? 2_000) * scale),
  warmup: values.quick ? 50 : 150,
  prime: values.quick ? 500 : 2_000,
  reps: values.quick ? 1 : Number(values.reps),
  timeLimitMs: 30_000,
}

const log = (line: string) => process.stderr.write(`${line}\n`)
const onSignal = () => void stopAll().finally(() => process.exit(130))
process.on('SIGINT', onSignal)
process.on('SIGTERM', onSignal)
const hardLimit = setTimeout(() => {
  log(`bench: over ${HARD_LIMIT_MS / 60_000} minutes, giving up`)
  onSignal()
}, HARD_LIMIT_MS)

const started = performance.now()
const loadBefore = loadavg()
const load = startLoadGenerator()
const ctx: CaseContext = {
  load,
  plan,
  log,
  ...(values['compare-root'] && { compareRoot: values['compare-root'] }),
}
const cases: CaseResult[] = []
let compiledResult: CompiledResult | undefined
const runners: [string, string, (ctx: CaseContext) => Promise<CaseResult>][] = [
  ['0', 'load generator check', loadGeneratorCheck],
  ['1', 'direct vs proxied HTTP upstream', directVsProxy],
  ['2', 'stdio upstream, ProxMCP vs peers', stdioPeers],
  ['3', 'aggregation of 10 upstreams', aggregate],
  ['5', 'tracing and audit cost', observability],
  ['6', 'per-identity credentials cost', credentials],
  ['7', 'cluster mode and replicas', cluster],
]
const failures: string[] = []
/** A case that fails is reported and the others still run. */
async function attempt<T>(id: string, title: string, run: () => Promise<T>): Promise<T | undefined> {
  log(`case ${id}: ${title}`)
  const caseStarted = performance.now()
  try {
    const result = await run()
    log(`case ${id}: done in ${Math.round((performance.now() - caseStarted) / 1000)} s`)
    return result
  } catch (error) {
    const message = `case ${id} (${title}) failed: ${error instanceof Error ? error.message : String(error)}`
    log(message)
    failures.push(message)
    return undefined
  }
}
try {
  for (const [id, title, run] of runners) {
    if (!selected.has(id)) continue
    const result = await attempt(id, title, () => run(ctx))
    if (result) cases.push(result)
  }
  if (selected.has('4')) compiledResult = await attempt('4', 'compiled executable', () => compiled(ctx))
} finally {
  await load.stop()
  await stopAll()
  clearTimeout(hardLimit)
}

const checks = checkTargets(cases, compiledResult)
const spreads = cases.flatMap((result) => result.measurements.map((m) => m.rpsSpread))
const medianSpread = spreads.length > 0 ? median(spreads) : 0
const git = (args: string[]) =>
  Bun.spawnSync(['git', ...args], { cwd: PROXMCP_ROOT, stderr: 'ignore' })
    .stdout.toString()
    .trim()
const meta = {
  date: new Date().toISOString(),
  proxmcpRoot: PROXMCP_ROOT,
  proxmcpCommit: git(['rev-parse', '--short', 'HEAD']) || 'unknown',
  proxmcpDirty: git(['status', '--porcelain', '--', 'src']) !== '',
  compareRoot: values['compare-root'],
  bun: Bun.version,
  node: Bun.spawnSync([NODE, '--version']).stdout.toString().trim(),
  cpus: cpus().length,
  cpuModel: cpus()[0]?.model,
  loadAverageBefore: loadBefore,
  loadAverageAfter: loadavg(),
  durationS: Math.round((performance.now() - started) / 1000),
  plan: { ...plan, requests: Object.fromEntries(plan.concurrencies.map((c) => [c, plan.requests(c)])) },
}
const markdown = [
  '## ProxMCP benchmark',
  `ProxMCP ${meta.proxmcpCommit}${meta.proxmcpDirty ? ' with uncommitted changes in src/' : ''} (${meta.proxmcpRoot}). ${meta.date}, Bun ${meta.bun}, Node ${meta.node}, ${meta.cpus} × ${meta.cpuModel}, load average ${meta.loadAverageBefore.map((l) => l.toFixed(2)).join(' ')} before and ${meta.loadAverageAfter.map((l) => l.toFixed(2)).join(' ')} after, ${meta.durationS} s.`,
  `Each row is the repetition with the median req/s out of ${plan.reps} interleaved repetitions (its p50/p99 with it; CPU µs per request are medians over the repetitions, and a ratio of two proxies' CPU is the median of each repetition's ratio, as the two ran one after the other, or the ratio of the medians between two passes); "spread" is (max − min) / max req/s over the repetitions. Requests per run: ${Object.entries(
    meta.plan.requests,
  )
    .map(([c, n]) => `${n} at ${c} client${c === '1' ? '' : 's'}`)
    .join(
      ', ',
    )}, after ${plan.warmup} warm-up requests. At each client count, every contender first serves ${plan.prime} unmeasured requests of each operation, so that rows show the steady state, not the JIT compiling the hot path (the log gives the proxy CPU this took).`,
  `Noise: the median spread over all rows is ${Math.round(medianSpread * 100)}%; read ratios below that as ties.`,
  ...failures.map((failure) => `**${failure}**`),
  renderTargets(checks),
  ...cases.map(renderCase),
  ...(compiledResult ? [renderCompiled(compiledResult)] : []),
].join('\n\n')

const resultsDir = join(BENCH_DIR, 'results')
mkdirSync(resultsDir, { recursive: true })
writeFileSync(
  join(resultsDir, 'latest.json'),
  `${JSON.stringify(
    {
      meta,
      failures,
      targets: checks,
      cases: cases.map((result) => ({ ...result, ratios: ratios(result.measurements, result.comparisons) })),
      compiled: compiledResult,
    },
    null,
    2,
  )}\n`,
)
writeFileSync(join(resultsDir, 'latest.md'), `${markdown}\n`)
process.stdout.write(`${markdown}\n`)
// Nothing of ours is left running; do not wait for stray timers.
process.exit(failures.length > 0 ? 1 : 0)
