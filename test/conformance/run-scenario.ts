import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runBounded } from './run-bounded.ts'
import type { Suite } from './suites.ts'

export type Outcome = 'pass' | 'fail' | 'timeout' | 'error'

export interface ScenarioResult {
  scenario: string
  outcome: Outcome
  passed: number
  failed: number
  warnings: number
  /** `check-id: message` for every failed check, or what went wrong with the run itself. */
  problems: string[]
  durationMs: number
}

interface Check {
  id: string
  status: 'SUCCESS' | 'FAILURE' | 'WARNING' | 'INFO' | 'SKIPPED'
  errorMessage?: string
}

/** Leaves the suite's own per-scenario timeout room to report before ours ends the process. */
const SUITE_TIMEOUT_SHARE = 0.8

/**
 * Runs one scenario in its own CLI process against `url`, bounded in time, and reads the checks it
 * wrote. A scenario passes when no check failed (warnings are allowed, as the suite's own exit code does).
 */
export async function runScenario(
  suite: Suite,
  scenario: string,
  url: string,
  timeoutMs: number,
): Promise<ScenarioResult> {
  const started = Date.now()
  const outputDir = await mkdtemp(join(tmpdir(), 'proxmcp-conformance-'))
  try {
    const cmd = [
      process.execPath,
      suite.entry,
      'server',
      '--url',
      url,
      '--scenario',
      scenario,
      '-o',
      outputDir,
    ]
    if (suite.specVersion) cmd.push('--spec-version', suite.specVersion)
    if (suite.hasTimeoutFlag) cmd.push('--timeout', String(Math.round(timeoutMs * SUITE_TIMEOUT_SHARE)))
    const run = await runBounded(cmd, { timeoutMs })
    const durationMs = Date.now() - started
    const checks = await readChecks(outputDir)
    if (run.timedOut) return failure(scenario, 'timeout', [`no result within ${timeoutMs} ms`], durationMs)
    if (!checks) return failure(scenario, 'error', [lastLines(run.output)], durationMs)
    const failures = checks.filter((check) => check.status === 'FAILURE')
    return {
      scenario,
      outcome: failures.length === 0 ? 'pass' : 'fail',
      passed: checks.filter((check) => check.status === 'SUCCESS').length,
      failed: failures.length,
      warnings: checks.filter((check) => check.status === 'WARNING').length,
      problems: failures.map((check) => `${check.id}: ${check.errorMessage ?? 'failed'}`),
      durationMs,
    }
  } finally {
    await rm(outputDir, { recursive: true, force: true })
  }
}

async function readChecks(outputDir: string): Promise<Check[] | undefined> {
  for (const entry of await readdir(outputDir)) {
    const text = await readFile(join(outputDir, entry, 'checks.json'), 'utf8').catch(() => undefined)
    if (text !== undefined) return JSON.parse(text) as Check[]
  }
  return undefined
}

function failure(scenario: string, outcome: Outcome, problems: string[], durationMs: number): ScenarioResult {
  return { scenario, outcome, passed: 0, failed: 0, warnings: 0, problems, durationMs }
}

function lastLines(output: string): string {
  return `the suite wrote no result; its output ended with:\n${output.trim().split('\n').slice(-15).join('\n')}`
}
