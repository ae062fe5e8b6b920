import { join } from 'node:path'
import { NODE, ROOT } from '../lib/paths.ts'
import { serveTarget } from './serve-target.ts'
import type { Target } from './target.ts'

const ENTRY = join(ROOT, 'node_modules', 'mcp-proxy', 'dist', 'bin', 'mcp-proxy.mjs')

/** The `mcp-proxy` peer (on Node, as npx runs it) with its defaults, bound to loopback. */
export function startMcpProxy(name: string, stdio: string[]): Promise<Target> {
  return serveTarget(name, (port) => [
    NODE,
    ENTRY,
    '--port',
    String(port),
    '--host',
    '127.0.0.1',
    '--',
    ...stdio,
  ])
}
