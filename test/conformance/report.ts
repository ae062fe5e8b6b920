import type { ScenarioResult } from './run-scenario.ts'

/** Where a scenario runs besides directly against the fixture. */
export type Through = 'proxied' | 'cluster'

export interface Row {
  scenario: string
  direct: ScenarioResult
  /** Through one ProxMCP process. */
  proxied?: ScenarioResult
  /** Through replicas sharing sessions in Redis behind a round-robin balancer (run.ts --cluster). */
  cluster?: ScenarioResult
}

export interface Verdict {
  passed: number
  failed: number
  /** Scenarios the fixture itself fails: not counted, since the proxy cannot be blamed for them. */
  notCounted: number
  regressions: Row[]
}

/** Counts results `through` one target for the scenarios that pass directly. */
export function judge(rows: Row[], through: Through = 'proxied'): Verdict {
  const counted = rows.filter((row) => row.direct.outcome === 'pass')
  const regressions = counted.filter((row) => row[through]?.outcome !== 'pass')
  return {
    passed: counted.length - regressions.length,
    failed: regressions.length,
    notCounted: rows.length - counted.length,
    regressions,
  }
}

/** The targets these rows were run through, in column order. */
export function targetsOf(rows: Row[]): Through[] {
  return (['proxied', 'cluster'] as const).filter((through) => rows.some((row) => row[through]))
}

function cell(result: ScenarioResult | undefined): string {
  if (!result) return 'not run'
  const label = result.outcome === 'pass' ? 'pass' : result.outcome.toUpperCase()
  return result.warnings > 0 ? `${label} (${result.warnings} warn)` : label
}

/**
 * The scenario × {direct, proxied[, cluster]} table, then what failed and why, then one summary
 * line per target: `proxied: N passed, M failed`.
 */
export function formatReport(title: string, rows: Row[]): string {
  const targets = targetsOf(rows)
  const width = Math.max(8, ...rows.map((row) => row.scenario.length))
  const line = (cells: string[]) =>
    [cells[0]?.padEnd(width), ...cells.slice(1).map((text) => text.padEnd(16))].join('  ').trimEnd()
  const lines = [
    title,
    '',
    line(['scenario', 'direct', ...targets]),
    line(['-'.repeat(width), ...Array.from({ length: targets.length + 1 }, () => '-'.repeat(16))]),
  ]
  for (const row of rows) {
    lines.push(line([row.scenario, cell(row.direct), ...targets.map((through) => cell(row[through]))]))
  }
  const details = rows.flatMap((row) => [
    ...problems('direct', row.direct),
    ...targets.flatMap((through) => problems(through, row[through])),
  ])
  if (details.length > 0) lines.push('', 'Failures:', ...details)
  lines.push('')
  for (const through of targets) {
    const verdict = judge(rows, through)
    const notCounted =
      verdict.notCounted > 0 ? ` (${verdict.notCounted} not counted: they fail directly)` : ''
    lines.push(`${through}: ${verdict.passed} passed, ${verdict.failed} failed${notCounted}`)
  }
  return lines.join('\n')
}

function problems(target: string, result: ScenarioResult | undefined): string[] {
  if (!result || result.outcome === 'pass') return []
  return [`  ${result.scenario} [${target}]`, ...result.problems.map((problem) => `    - ${indent(problem)}`)]
}

function indent(text: string): string {
  return text.split('\n').join('\n      ')
}
