import type { ScenarioResult } from './run-scenario.ts'

export interface Row {
  scenario: string
  direct: ScenarioResult
  proxied?: ScenarioResult
}

export interface Verdict {
  passed: number
  failed: number
  /** Scenarios the fixture itself fails: not counted, since the proxy cannot be blamed for them. */
  notCounted: number
  regressions: Row[]
}

/** Counts proxied results for the scenarios that pass directly. */
export function judge(rows: Row[]): Verdict {
  const counted = rows.filter((row) => row.direct.outcome === 'pass')
  const regressions = counted.filter((row) => row.proxied?.outcome !== 'pass')
  return {
    passed: counted.length - regressions.length,
    failed: regressions.length,
    notCounted: rows.length - counted.length,
    regressions,
  }
}

function cell(result: ScenarioResult | undefined): string {
  if (!result) return 'not run'
  const label = result.outcome === 'pass' ? 'pass' : result.outcome.toUpperCase()
  return result.warnings > 0 ? `${label} (${result.warnings} warn)` : label
}

/** The scenario × {direct, proxied} table, then what failed and why, then the summary line. */
export function formatReport(title: string, rows: Row[]): string {
  const width = Math.max(8, ...rows.map((row) => row.scenario.length))
  const line = (a: string, b: string, c: string) => `${a.padEnd(width)}  ${b.padEnd(16)}  ${c}`
  const lines = [
    title,
    '',
    line('scenario', 'direct', 'proxied'),
    line('-'.repeat(width), '-'.repeat(16), '-'.repeat(16)),
  ]
  for (const row of rows) lines.push(line(row.scenario, cell(row.direct), cell(row.proxied)))
  const details = rows.flatMap((row) => [
    ...problems('direct', row.direct),
    ...(row.proxied ? problems('proxied', row.proxied) : []),
  ])
  if (details.length > 0) lines.push('', 'Failures:', ...details)
  const verdict = judge(rows)
  const notCounted = verdict.notCounted > 0 ? ` (${verdict.notCounted} not counted: they fail directly)` : ''
  lines.push('', `${verdict.passed} passed, ${verdict.failed} failed${notCounted}`)
  return lines.join('\n')
}

function problems(target: string, result: ScenarioResult): string[] {
  if (result.outcome === 'pass') return []
  return [`  ${result.scenario} [${target}]`, ...result.problems.map((problem) => `    - ${indent(problem)}`)]
}

function indent(text: string): string {
  return text.split('\n').join('\n      ')
}
