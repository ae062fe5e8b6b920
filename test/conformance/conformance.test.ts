import { describe, expect, test } from 'bun:test'
import { redisUnavailable } from '../helpers/redis-server.ts'

const CLUSTER_REPLICAS = 3

if (redisUnavailable) console.warn(`conformance through a cluster skipped: ${redisUnavailable}`)

interface Leg {
  /** The report: the scenario table, each failure and why, then one summary line per target. */
  report: string
  /** `N passed, M failed…` through each target, from the report's summary lines. */
  summaries: Map<string, string>
}

/**
 * Runs a conformance leg once (fixture directly, then through the proxy and, beside it, through
 * the cluster when Redis is at hand) and shares it between the tests that judge each target.
 */
const legs = new Map<string, Promise<Leg>>()
function leg(args: string[]): Promise<Leg> {
  const key = args.join(' ')
  let running = legs.get(key)
  if (!running) {
    running = runLeg(redisUnavailable ? args : [...args, '--cluster', String(CLUSTER_REPLICAS)])
    legs.set(key, running)
  }
  return running
}

async function runLeg(args: string[]): Promise<Leg> {
  const child = Bun.spawn([process.execPath, 'test/conformance/run.ts', ...args], {
    stdout: 'pipe',
    stderr: 'pipe',
  })
  const [stdout, stderr] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
  ])
  const code = await child.exited
  // 1 means some target failed a scenario: each test judges its own target from the report.
  if (code !== 0 && code !== 1)
    throw new Error(`conformance ${args.join(' ')} exited ${code}:\n${stdout}\n${stderr}`)
  const report = stdout.trim()
  const summaries = new Map(
    [...report.matchAll(/^(\w+): (\d+ passed, \d+ failed.*)$/gm)].map(
      (match) => [match[1] as string, match[2] as string] as const,
    ),
  )
  return { report, summaries }
}

/** The summary for one target, logged; with the whole report when something failed there. */
async function summaryThrough(args: string[], through: string): Promise<string> {
  const { report, summaries } = await leg(args)
  const summary = summaries.get(through) ?? 'no summary'
  console.log(`[conformance ${args.join(' ') || '2025'}, ${through}] ${summary}`)
  if (!/^\d+ passed, 0 failed$/.test(summary)) console.log(report)
  return summary
}

const eras = [
  { era: '2025-era conformance scenario', args: [] },
  { era: '2026-07-28 conformance scenario (0.2.0 alpha)', args: ['--modern'] },
]

describe.each(eras)('every $era that passes against our fixture', ({ args }) => {
  test('passes through the proxy', async () => {
    expect(await summaryThrough(args, 'proxied')).toMatch(/^\d+ passed, 0 failed$/)
  }, 400_000)

  test.skipIf(redisUnavailable !== undefined)(
    `passes through a ${CLUSTER_REPLICAS}-replica cluster behind a round-robin balancer`,
    async () => {
      expect(await summaryThrough(args, 'cluster')).toMatch(/^\d+ passed, 0 failed$/)
    },
    400_000,
  )
})
