import { writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Contender, measure } from '../lib/measure.ts'
import { startHttpUpstreams } from '../targets/http-upstream.ts'
import { startProxmcp } from '../targets/proxmcp.ts'
import type { CaseContext, CaseResult } from './case-types.ts'

export const PLAIN = 'ProxMCP'
export const TRACED = 'ProxMCP, tracing on (100% sampled)'
export const AUDITED = 'ProxMCP, audit file on'

/** An OTLP/HTTP collector that takes every export and keeps nothing: the proxy's cost, not a collector's. */
function otlpSink() {
  let exports = 0
  const server = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    async fetch(request) {
      await request.arrayBuffer()
      exports++
      return Response.json({})
    },
  })
  return { url: `http://127.0.0.1:${server.port}`, exports: () => exports, stop: () => server.stop(true) }
}

/**
 * Case 5: what observability costs. The same proxy in front of the same upstream, plain, with
 * every request traced and exported over OTLP/HTTP, and with every call written to an audit file.
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
    const traced = await startProxmcp('case5-traced', {
      upstreams: [url],
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: sink.url },
    })
    stops.push(traced.stop)
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
    const plan = { ...ctx.plan, ops: ['call' as const], concurrencies: [1, 16] }
    const measurements = await measure(
      ctx.load,
      [contender(PLAIN, plain), contender(TRACED, traced), contender(AUDITED, audited)],
      plan,
      ctx.log,
    )
    return {
      id: 'observability',
      title: 'Case 5: tracing and audit, on vs off',
      measurements,
      comparisons: [
        { target: TRACED, baseline: PLAIN },
        { target: AUDITED, baseline: PLAIN },
      ],
      memory: [],
      notes: [
        'v2 upstream; 2025-era clients, so tools/call takes the direct path in all three.',
        `Tracing: OTEL_EXPORTER_OTLP_ENDPOINT pointed at a loopback OTLP/HTTP sink in the bench (${sink.exports()} exports received); every request sampled, a server and a client span each, batched every second.`,
        'Audit: one JSON line per call (with the SHA-256 of its arguments) appended to a file in the temp folder.',
      ],
    }
  } finally {
    for (const stop of stops.reverse()) await stop()
  }
}
