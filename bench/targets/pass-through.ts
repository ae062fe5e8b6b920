import { join } from 'node:path'
import { BENCH_DIR, BUN } from '../lib/paths.ts'
import { serveTarget } from './serve-target.ts'
import type { Target } from './target.ts'

/** The bench's byte-for-byte HTTP pass-through in front of `upstreamUrl`: what any extra hop costs. */
export function startPassThrough(name: string, upstreamUrl: string): Promise<Target> {
  return serveTarget(name, (port) => [
    BUN,
    join(BENCH_DIR, 'upstreams', 'pass-through.ts'),
    '--port',
    String(port),
    '--to',
    upstreamUrl,
  ])
}
