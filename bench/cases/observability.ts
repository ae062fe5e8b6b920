import { writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Contender, measure } from '../lib/measure.ts'
import { otlpSink } from '../lib/otlp-sink.ts'
import { startHttpUpstreams } from '../targets/http-upstream.ts'
import { startProxmcp } from '../targets/proxmcp.ts'
import type { CaseContext, CaseResult } from './case-types.ts'

export const PLAIN = 'ProxMCP'
/** The same plain proxy in a second process: what no difference measures as in the same run. */
export const PLAIN_TWIN = 'ProxMCP, a second process'
export const TRACED = 'ProxMCP, tracing on (100% sampled)'
export const SAMPLED = 'ProxMCP, tracing on (10% sampled)'
export const AUDITED = 'ProxMCP, audit file on'

/**
 * Case 5: what observability costs. The same proxy in front of the same upstream, plain (twice,
 * in two processes), with every request traced and exported over OTLP/HTTP, with one in ten
 * traced, and with every call written to an audit file.
 */
export async function observability(ctx: CaseContext): Promise<CaseResult> {
  const stops: (() => Promise<void> | void)[] = []
  const sink = otlpSink()
  stops.push(sink.stop)
  try {
    const upstream = await startHttpUpstreams('case5-upstream', { count: 1, fillerTools: 10, era: 'both' })
    stops.push(upstream.stop)
    const url = upstream.urls[0] as string
    const auditConfig = join(tmpdir(), `proxmcp-bench-audit-${process.pid}.json`)
    const auditFile = join(tmpdir(), `proxmcp-bench-audit-${process.pid}.log`)
    writeFileSync(auditConfig, JSON.stringify({ upstreams: [], audit: { file: auditFile } }))
    const plain = await startProxmcp('case5-plain', { upstreams: [url] })
    stops.push(plain.stop)
    const twin = await startProxmcp('case5-plain-twin', { upstreams: [url] })
    stops.push(twin.stop)
    const traced = await startProxmcp('case5-traced', {
      upstreams: [url],
      env: sink.tracingEnv(),
    })
    stops.push(traced.stop)
    const sampled = await startProxmcp('case5-sampled', {
      upstreams: [url],
      env: sink.tracingEnv(0.1),
    })
    stops.push(sampled.stop)
    const audited = await startProxmcp('case5-audited', { upstreams: [url], args: ['--config', auditConfig] })
    stops.push(audited.stop)
    const contender = (name: string, target: { url: string; pid: number }): Contender => ({
      name,
      driver: 'raw',
      endpoint: target.url,
      tool: 'echo',
      proxyPid: target.pid,
      upstreamPid: upstream.pid,
    })
    // Five times the usual priming: the JIT was still compiling the tracing and audit code (writing
    // spans, exports) past 2,000 calls, a one-off cost the short runs counted as CPU per call.
    const plan = { ...ctx.plan, ops: ['call' as const], concurrencies: [1, 16], prime: ctx.plan.prime * 5 }
    const measurements = await measure(
      ctx.load,
      [
        contender(PLAIN, plain),
        contender(PLAIN_TWIN, twin),
        contender(TRACED, traced),
        contender(SAMPLED, sampled),
        contender(AUDITED, audited),
      ],
      plan,
      ctx.log,
    )
    return {
      id: 'observability',
      title: 'Case 5: tracing and audit, on vs off',
      measurements,
      comparisons: [
        { target: PLAIN_TWIN, baseline: PLAIN },
        { target: TRACED, baseline: PLAIN },
        { target: SAMPLED, baseline: PLAIN },
        { target: AUDITED, baseline: PLAIN },
      ],
      memory: [],
      notes: [
        'v2 upstream; 2025-era clients, so tools/call takes the direct path in every contender.',
        `Tracing: OTEL_EXPORTER_OTLP_ENDPOINT pointed at a loopback OTLP/HTTP sink in the bench (${sink.exports()} exports received); a server and a client span per request, sent in batches of 512 spans or every second, in OTLP's default protobuf encoding.`,
        'Audit: one JSON line per call (with the SHA-256 of its arguments) appended to a file in the temp folder.',
        'A second plain proxy shows what no difference measures as: each process has a cost of its own, which repetitions do not average out.',
        `Each contender is primed with ${plan.prime} calls at each client count (5× the other cases): the JIT compiles the span writer and the exporter later than the plain hot path.`,
      ],
    }
  } finally {
    for (const stop of stops.reverse()) await stop()
  }
}
