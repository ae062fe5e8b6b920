import { join } from 'node:path'
import { BENCH_DIR, BUN } from '../lib/paths.ts'
import { serveTarget } from './serve-target.ts'
import type { Target } from './target.ts'

/**
 * The bench's byte-for-byte HTTP pass-through in front of `upstreamUrl`: what any extra hop costs.
 * In front of several URLs it is a round-robin balancer, each request to the next one in turn.
 */
export function startPassThrough(name: string, upstreamUrl: string | string[]): Promise<Target> {
  const urls = typeof upstreamUrl === 'string' ? [upstreamUrl] : upstreamUrl
  return serveTarget(name, (port) => [
    BUN,
    join(BENCH_DIR, 'upstreams', 'pass-through.ts'),
    '--port',
    String(port),
    ...urls.flatMap((url) => ['--to', url]),
  ])
}
