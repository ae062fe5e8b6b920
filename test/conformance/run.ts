/**
 * Runs the official MCP conformance suite's server scenarios against our fixture directly, then
 * through ProxMCP in front of it, and fails when the proxy breaks a scenario the fixture passes.
 *
 *   bun test/conformance/run.ts                 0.1.16, 2025-era scenarios
 *   bun test/conformance/run.ts --modern        0.2.0 alpha, 2026-07-28 scenarios
 *   options: --spec-version V (alpha wire, with --modern), --scenario a,b, --timeout MS (per scenario),
 *            --json FILE (results), --proxy-cli PATH (another checkout's src/cli/bun.ts),
 *            --upstream-era legacy|modern (put the proxy in front of a fixture serving only that era,
 *            to measure translation between eras; direct runs still use the dual-era fixture)
 */
import { writeFile } from 'node:fs/promises'
import { parseArgs } from 'node:util'
import type { StartedProcess } from './processes.ts'
import { formatReport, judge, type Row } from './report.ts'
import { runScenario, type ScenarioResult } from './run-scenario.ts'
import { listServerScenarios, nextSuite, type Suite, stableSuite } from './suites.ts'
import { startFixture, startProxy } from './targets.ts'

const DEFAULT_SCENARIO_TIMEOUT_MS = 60_000

async function runAll(suite: Suite, scenarios: string[], url: string, timeoutMs: number) {
  const results = new Map<string, ScenarioResult>()
  for (const scenario of scenarios) {
    const result = await runScenario(suite, scenario, url, timeoutMs)
    process.stderr.write(`  ${scenario}: ${result.outcome} (${result.durationMs} ms)\n`)
    results.set(scenario, result)
  }
  return results
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

  let fixture: StartedProcess | undefined
  let upstream: StartedProcess | undefined
  let proxy: StartedProcess | undefined
  const rows: Row[] = []
  onInterrupt(() => Promise.all([proxy?.stop(), upstream?.stop(), fixture?.stop()]))
  try {
    fixture = await startFixture()
    process.stderr.write(`${suite.label}: ${scenarios.length} scenarios\ndirect, ${fixture.url}\n`)
    const direct = await runAll(suite, scenarios, fixture.url, timeoutMs)
    upstream = upstreamEra === 'both' ? fixture : await startFixture(upstreamEra)
    proxy = await startProxy(upstream.url, values['proxy-cli'])
    process.stderr.write(`proxied, ${proxy.url}\n`)
    const proxied = await runAll(suite, scenarios, proxy.url, timeoutMs)
    for (const scenario of scenarios) {
      rows.push({ scenario, direct: direct.get(scenario) as ScenarioResult, proxied: proxied.get(scenario) })
    }
  } finally {
    await proxy?.stop()
    if (upstream !== fixture) await upstream?.stop()
    await fixture?.stop()
  }

  const through = upstreamEra === 'both' ? 'ProxMCP' : `ProxMCP in front of a ${upstreamEra}-only fixture`
  console.log(formatReport(`${suite.label}: fixture direct vs through ${through}`, rows))
  if (values.json) await writeFile(values.json, `${JSON.stringify({ suite: suite.label, rows }, null, 2)}\n`)
  return judge(rows).failed > 0 ? 1 : 0
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(`conformance run failed: ${(error as Error).message}`)
    process.exit(2)
  },
)
