import { measure } from '../lib/measure.ts'
import { startHttpUpstreams } from '../targets/http-upstream.ts'
import type { CaseContext, CaseResult } from './case-types.ts'

/**
 * Case 0: is the load generator cheap enough? The same upstream driven by raw fetch sessions and by
 * the v2 SDK client, with the load generator's own CPU per request.
 */
export async function loadGeneratorCheck(ctx: CaseContext): Promise<CaseResult> {
  const upstream = await startHttpUpstreams('case0-upstream', { count: 1, fillerTools: 10, era: 'both' })
  try {
    const url = upstream.urls[0] as string
    const common = { endpoint: url, tool: 'echo', upstreamPid: upstream.pid }
    const measurements = await measure(
      ctx.load,
      [
        { name: 'direct, raw fetch client', driver: 'raw', ...common },
        { name: 'direct, v2 SDK client', driver: 'sdk', ...common },
      ],
      { ...ctx.plan, ops: ['call'], concurrencies: ctx.plan.concurrencies.filter((count) => count > 1) },
      ctx.log,
    )
    return {
      id: 'load-generator',
      title: 'Case 0: load generator, raw fetch vs the v2 SDK client (direct to the HTTP upstream)',
      measurements,
      comparisons: [{ target: 'direct, v2 SDK client', baseline: 'direct, raw fetch client' }],
      memory: [],
      notes: ['The load generator runs in its own Bun process; "load CPU" is its CPU time per request.'],
    }
  } finally {
    await upstream.stop()
  }
}
