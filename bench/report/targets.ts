import type { CaseResult } from '../cases/case-types.ts'
import type { CompiledResult } from '../cases/compiled.ts'
import { DIRECT_2025, DIRECT_V2, PROXMCP_2025, PROXMCP_V2 } from '../cases/direct-vs-proxy.ts'
import { MCP_PROXY, PROXMCP_SHARED, PROXMCP_STDIO, SUPERGATEWAY } from '../cases/stdio-peers.ts'
import { ratios } from './compare.ts'

export interface TargetCheck {
  name: string
  measured: string
  /** Undefined when the case that measures it did not run. */
  met?: boolean
}

const MIB = 2 ** 20

/** The goals set for ProxMCP, checked against this run's own measurements. */
export function checkTargets(cases: CaseResult[], compiled: CompiledResult | undefined): TargetCheck[] {
  const direct = cases.find((c) => c.id === 'direct-vs-proxy')
  const stdio = cases.find((c) => c.id === 'stdio-peers')
  const checks: TargetCheck[] = []
  for (const [proxy, baseline, label] of [
    [PROXMCP_V2, DIRECT_V2, 'v2 upstream'],
    [PROXMCP_2025, DIRECT_2025, '2025-only upstream'],
  ] as const) {
    const found = direct ? ratios(direct.measurements, [{ target: proxy, baseline }]) : []
    const at64 = found.filter((r) => r.concurrency === 64)
    checks.push({
      name: `throughput through ProxMCP ≥ 0.9× direct at 64 clients (${label})`,
      measured: at64.map((r) => `${r.op} ${r.throughput.toFixed(2)}×`).join(', ') || '—',
      ...(at64.length > 0 && { met: at64.every((r) => r.throughput >= 0.9) }),
    })
    const at1 = found.filter((r) => r.concurrency === 1)
    checks.push({
      name: `p50 added latency < 0.3 ms, 1 client (${label})`,
      measured: at1.map((r) => `${r.op} +${r.addedP50.toFixed(2)} ms`).join(', ') || '—',
      ...(at1.length > 0 && { met: at1.every((r) => r.addedP50 < 0.3) }),
    })
  }
  for (const [proxmcp, peer] of [MCP_PROXY, SUPERGATEWAY].flatMap((peer) =>
    [PROXMCP_STDIO, PROXMCP_SHARED].map((proxmcp) => [proxmcp, peer] as const),
  )) {
    const found = stdio ? ratios(stdio.measurements, [{ target: proxmcp, baseline: peer }]) : []
    checks.push({
      name: `≥ 2× the throughput of ${peer} (stdio, every op and client count; ${proxmcp})`,
      measured: found.map((r) => `${r.op}×${r.concurrency} ${r.throughput.toFixed(2)}×`).join(', ') || '—',
      ...(found.length > 0 && { met: found.every((r) => r.throughput >= 2) }),
    })
  }
  const idle = direct?.memory.find((m) => m.target === PROXMCP_V2)
  checks.push({
    name: 'idle RSS < 50 MB (bun src/cli/bun.ts, one HTTP upstream)',
    measured: idle ? `${(idle.idleRss / MIB).toFixed(1)} MB` : '—',
    ...(idle && { met: idle.idleRss < 50 * MIB }),
  })
  for (const reading of compiled?.readings ?? []) {
    if (reading.bytes === undefined || reading.reference) continue
    checks.push({
      name: `idle RSS < 50 MB (${reading.variant})`,
      measured: `${(reading.idleRss / MIB).toFixed(1)} MB`,
      met: reading.idleRss < 50 * MIB,
    })
    checks.push({
      name: `start to first answer < 50 ms (${reading.variant}, median)`,
      measured: `${reading.medianStartMs.toFixed(1)} ms (best ${reading.bestStartMs.toFixed(1)} ms)`,
      met: reading.medianStartMs < 50,
    })
  }
  return checks
}
