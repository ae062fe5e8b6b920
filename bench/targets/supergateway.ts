import { join } from 'node:path'
import { BENCH_DIR, NODE, ROOT } from '../lib/paths.ts'
import { serveTarget } from './serve-target.ts'
import type { Target } from './target.ts'

const ENTRY = join(ROOT, 'node_modules', 'supergateway', 'dist', 'index.js')
/** supergateway has no host flag and listens on every interface: this preload pins it to loopback. */
const LOOPBACK_ONLY = join(BENCH_DIR, 'targets', 'loopback-only.cjs')

/**
 * The `supergateway` peer in stdio → Streamable HTTP mode, stateful (one server process per session,
 * as MCP sessions need), logging off so it is not charged for log output.
 */
export function startSupergateway(name: string, stdio: string[]): Promise<Target> {
  return serveTarget(name, (port) => [
    NODE,
    '--require',
    LOOPBACK_ONLY,
    ENTRY,
    '--stdio',
    stdio.join(' '),
    '--outputTransport',
    'streamableHttp',
    '--stateful',
    '--port',
    String(port),
    '--logLevel',
    'none',
  ])
}
