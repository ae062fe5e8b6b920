import type { CaseResult } from '../cases/case-types.ts'
import type { CompiledResult } from '../cases/compiled.ts'
import { type Ratio, ratios } from './compare.ts'
import { int, mb, ms, percent, ratio, table } from './format.ts'
import type { TargetCheck } from './targets.ts'

const OP_LABEL: Record<string, string> = { call: 'tools/call', list: 'tools/list' }

/** One case: every measurement with its ratio to the case's direct baseline, then the other ratios. */
export function renderCase(result: CaseResult): string {
  const all = ratios(result.measurements, result.comparisons)
  /** A target's first comparison is shown in the main table. */
  const isPrimary = (r: Ratio) =>
    result.comparisons.find((c) => c.target === r.comparison.target) === r.comparison
  const primary = all.filter(isPrimary)
  const rows = result.measurements.map((m) => {
    const r = primary.find(
      (p) => p.comparison.target === m.target && p.op === m.op && p.concurrency === m.concurrency,
    )
    return [
      m.target,
      OP_LABEL[m.op] ?? m.op,
      String(m.concurrency),
      int(m.rps),
      r ? ratio(r.throughput) : 'baseline',
      ms(m.p50),
      r ? `${r.addedP50 >= 0 ? '+' : ''}${ms(r.addedP50)}` : '—',
      ms(m.p99),
      int(m.proxyCpuUsPerRequest),
      int(m.upstreamCpuUsPerRequest),
      int(m.loadCpuUsPerRequest),
      mb(m.peakRss),
      percent(m.rpsSpread),
      m.errors ? `${m.errors} (${m.firstError ?? ''})` : '0',
    ]
  })
  const parts = [
    `### ${result.title}`,
    table(
      [
        'target',
        'op',
        'clients',
        'req/s',
        '× baseline',
        'p50 ms',
        'Δp50 ms',
        'p99 ms',
        'proxy CPU µs/req',
        'upstream CPU µs/req',
        'load-gen CPU µs/req',
        'peak RSS MB',
        'spread',
        'errors',
      ],
      rows,
    ),
  ]
  // Comparisons the main table cannot show, and every one between two proxies, with their CPU ratio.
  const rest = all.filter((r) => !isPrimary(r) || r.proxyCpu !== undefined)
  if (rest.length > 0) {
    parts.push(
      table(
        ['ratio', 'op', 'clients', 'req/s ratio', 'proxy CPU/req ratio', 'Δp50 ms'],
        rest.map((r) => [
          `${r.comparison.target} ÷ ${r.comparison.baseline}`,
          OP_LABEL[r.op] ?? r.op,
          String(r.concurrency),
          ratio(r.throughput),
          ratio(r.proxyCpu),
          ms(r.addedP50),
        ]),
      ),
    )
  }
  if (result.memory.length > 0) {
    parts.push(
      table(
        [
          'proxy',
          'idle RSS MB',
          'idle RSS with children MB',
          'peak RSS under load MB',
          'peak with children MB',
        ],
        result.memory.map((memory) => {
          const own = result.measurements.filter((m) => m.target === memory.target)
          return [
            memory.target,
            mb(memory.idleRss),
            mb(memory.idleTreeRss),
            mb(Math.max(0, ...own.map((m) => m.peakRss ?? 0))),
            mb(Math.max(0, ...own.map((m) => m.peakTreeRss ?? 0))),
          ]
        }),
      ),
    )
  }
  parts.push(result.notes.map((note) => `- ${note}`).join('\n'))
  return parts.join('\n\n')
}

export function renderCompiled(result: CompiledResult): string {
  return [
    `### ${result.title}`,
    table(
      [
        'variant',
        'size MiB',
        'build s',
        'start→first answer ms (median)',
        'best ms',
        'all starts ms',
        'idle RSS MB',
      ],
      result.readings.map((r) => [
        r.variant,
        r.bytes === undefined ? '—' : mb(r.bytes),
        r.buildMs === undefined ? '—' : (r.buildMs / 1000).toFixed(1),
        ms(r.medianStartMs, 1),
        ms(r.bestStartMs, 1),
        r.startMs.map((start) => start.toFixed(0)).join(', '),
        mb(r.idleRss),
      ]),
    ),
    result.notes.map((note) => `- ${note}`).join('\n'),
  ].join('\n\n')
}

export function renderTargets(checks: TargetCheck[]): string {
  return [
    '### Targets',
    table(
      ['target', 'measured', 'result'],
      checks.map((check) => [
        check.name,
        check.measured,
        check.met === undefined ? 'not measured' : check.met ? 'met' : '**missed**',
      ]),
    ),
  ].join('\n\n')
}
