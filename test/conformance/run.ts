/**
 * Runs the official MCP conformance suite's server scenarios against our fixture directly, then
 * through ProxMCP in front of it, and fails when the proxy breaks a scenario the fixture passes.
 *
 *   bun test/conformance/run.ts                 0.1.16, 2025-era scenarios
 *   bun test/conformance/run.ts --modern        0.2.0 alpha, 2026-07-28 scenarios
 *   options: --spec-version V (alpha wire, with --modern), --scenario a,b, --timeout MS (per scenario),
 *            --json FILE (results), --proxy-cli PATH (another checkout's src/cli/bun.ts),
 *            --upstream-era legacy|modern (put the proxy in front of a fixture serving only that era,
 *            to measure translation between eras; direct runs still use the dual-era fixture),
 *            --cluster N (also through N replicas of this checkout's CLI sharing sessions in a
 *            throwaway Redis, behind a round-robin balancer with no affinity; needs redis-server)
 */
import { writeFile } from 'node:fs/promises'
import { parseArgs } from 'node:util'
import { type Cluster, startCluster } from '../helpers/cluster.ts'
import type { StartedProcess } from './processes.ts'
import { formatReport, judge, type Row, targetsOf } from './report.ts'
import { runScenario, type ScenarioResult } from './run-scenario.ts'
import { listServerScenarios, nextSuite, type Suite, stableSuite } from './suites.ts'
import { startFixture, startProxy } from './targets.ts'

const DEFAULT_SCENARIO_TIMEOUT_MS = 60_000

/** Runs the scenarios one after the other; `target` labels the progress lines. */
async function runAll(suite: Suite, scenarios: string[], url: string, timeoutMs: number, target: string) {
  const results = new Map<string, ScenarioResult>()
  for (const scenario of scenarios) {
    const result = await runScenario(suite, scenario, url, timeoutMs)
    process.stderr.write(`  [${target}] ${scenario}: ${result.outcome} (${result.durationMs} ms)\n`)
    results.set(scenario, result)
  }
  return results
}

async function runThroughCluster(cluster: Cluster, suite: Suite, scenarios: string[], timeoutMs: number) {
  process.stderr.write(`cluster of ${cluster.replicas.length}, ${cluster.url}\n`)
  const results = await runAll(suite, scenarios, cluster.url, timeoutMs, 'cluster')
  const perReplica = cluster.replicas.map((_, index) => cluster.served.filter((i) => i === index).length)
  process.stderr.write(`cluster: requests served per replica ${perReplica.join(' / ')}\n`)
  return results
}

/** Every scenario fails on a cluster that did not start, and the proxied results still count. */
function clusterDidNotStart(scenarios: string[]) {
  return (error: unknown) => {
    process.stderr.write(`cluster did not start: ${(error as Error).message}\n`)
    const problems = [`the cluster did not start: ${(error as Error).message}`]
    const failed = { outcome: 'error', passed: 0, failed: 0, warnings: 0, problems, durationMs: 0 } as const
    return new Map(scenarios.map((scenario) => [scenario, { scenario, ...failed }]))
  }
}

/** Ctrl-C must not leave the fixture or the proxy running in their own process groups. */
function onInterrupt(cleanup: () => Promise<unknown>): void {
  const stop = () => void cleanup().finally(() => process.exit(130))
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      modern: { type: 'boolean', default: false },
      'spec-version': { type: 'string' },
      scenario: { type: 'string' },
      timeout: { type: 'string' },
      json: { type: 'string' },
      'proxy-cli': { type: 'string' },
      'upstream-era': { type: 'string' },
      cluster: { type: 'string' },
    },
  })
  if (values['spec-version'] && !values.modern) throw new Error('--spec-version applies to --modern only')
  const suite = values.modern ? nextSuite(values['spec-version']) : stableSuite()
  const timeoutMs = Number(values.timeout ?? DEFAULT_SCENARIO_TIMEOUT_MS)
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) throw new Error('--timeout expects milliseconds')
  const wanted = values.scenario?.split(',').map((name) => name.trim())
  const listed = await listServerScenarios(suite)
  const unknown = wanted?.filter((name) => !listed.includes(name)) ?? []
  if (unknown.length > 0) throw new Error(`${suite.label} has no server scenario ${unknown.join(', ')}`)
  const scenarios = wanted ?? listed
  const upstreamEra = values['upstream-era'] ?? 'both'
  if (upstreamEra !== 'both' && upstreamEra !== 'legacy' && upstreamEra !== 'modern') {
    throw new Error('--upstream-era expects both, legacy or modern')
  }
  const replicas = values.cluster === undefined ? 0 : Number(values.cluster)
  if (!Number.isInteger(replicas) || replicas < 0) throw new Error('--cluster expects a number of replicas')
  if (replicas > 0 && values['proxy-cli'])
    throw new Error('--cluster runs this checkout only, not --proxy-cli')

  let fixture: StartedProcess | undefined
  let upstream: StartedProcess | undefined
  let proxy: StartedProcess | undefined
  let cluster: Cluster | undefined
  const rows: Row[] = []
  onInterrupt(() => Promise.all([cluster?.stop(), proxy?.stop(), upstream?.stop(), fixture?.stop()]))
  try {
    fixture = await startFixture()
    process.stderr.write(`${suite.label}: ${scenarios.length} scenarios\ndirect, ${fixture.url}\n`)
    const direct = await runAll(suite, scenarios, fixture.url, timeoutMs, 'direct')
    upstream = upstreamEra === 'both' ? fixture : await startFixture(upstreamEra)
    const upstreamUrl = upstream.url
    proxy = await startProxy(upstreamUrl, values['proxy-cli'])
    process.stderr.write(`proxied, ${proxy.url}\n`)
    // Scenarios the fixture fails directly are not counted, so the cluster does not run them.
    const counted = scenarios.filter((scenario) => direct.get(scenario)?.outcome === 'pass')
    // The cluster runs beside the single proxy, each target one scenario at a time: the suite's
    // CLI start-up dominates each scenario, and the fixture keeps every session apart.
    const [proxied, clustered] = await Promise.all([
      runAll(suite, scenarios, proxy.url, timeoutMs, 'proxied'),
      replicas > 0
        ? startCluster({}, replicas, { args: ['--upstream', upstreamUrl] }).then((started) => {
            cluster = started
            return runThroughCluster(started, suite, counted, timeoutMs)
          }, clusterDidNotStart(counted))
        : new Map<string, ScenarioResult>(),
    ])
    for (const scenario of scenarios) {
      rows.push({
        scenario,
        direct: direct.get(scenario) as ScenarioResult,
        proxied: proxied.get(scenario),
        cluster: clustered.get(scenario),
      })
    }
  } finally {
    await cluster?.stop()
    await proxy?.stop()
    if (upstream !== fixture) await upstream?.stop()
    await fixture?.stop()
  }

  const front = upstreamEra === 'both' ? 'ProxMCP' : `ProxMCP in front of a ${upstreamEra}-only fixture`
  const also = replicas > 0 ? ` and a ${replicas}-replica cluster of it` : ''
  console.log(formatReport(`${suite.label}: fixture direct vs through ${front}${also}`, rows))
  if (values.json) await writeFile(values.json, `${JSON.stringify({ suite: suite.label, rows }, null, 2)}\n`)
  return targetsOf(rows).some((through) => judge(rows, through).failed > 0) ? 1 : 0
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(`conformance run failed: ${(error as Error).message}`)
    process.exit(2)
  },
)
