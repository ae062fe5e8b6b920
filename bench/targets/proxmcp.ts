import { join } from 'node:path'
import { BUN, PROXMCP_ROOT } from '../lib/paths.ts'
import { serveTarget } from './serve-target.ts'
import type { Target } from './target.ts'

export interface ProxmcpOptions {
  upstreams?: string[]
  stdio?: string[][]
  /** The executable to run instead of `bun src/cli/bun.ts` (a compiled binary). */
  executable?: string
  /** Flags for bun itself, before the entry (e.g. --cpu-prof). */
  bunFlags?: string[]
  /** One process per stdio upstream for every session (`--share-stdio`). */
  shareStdio?: boolean
  /** The checkout to run (default PROXMCP_ROOT): another copy, e.g. with a proposed fix applied. */
  root?: string
  /** More command-line arguments (e.g. `--config FILE`). */
  args?: string[]
  /** More environment variables (e.g. `OTEL_EXPORTER_OTLP_ENDPOINT`). */
  env?: Record<string, string>
}

/** ProxMCP through its CLI, in a process of its own, bound to loopback. */
export function startProxmcp(name: string, options: ProxmcpOptions): Promise<Target> {
  const entry = options.executable
    ? [options.executable]
    : [BUN, ...(options.bunFlags ?? []), join(options.root ?? PROXMCP_ROOT, 'src', 'cli', 'bun.ts')]
  const upstreamFlags = [
    ...(options.upstreams ?? []).flatMap((url) => ['--upstream', url]),
    ...(options.stdio ?? []).flatMap((command) => ['--stdio', command.join(' ')]),
  ]
  return serveTarget(
    name,
    (port) => [
      ...entry,
      '--port',
      String(port),
      '--host',
      '127.0.0.1',
      '--log-format',
      'json',
      ...upstreamFlags,
      ...(options.shareStdio ? ['--share-stdio'] : []),
      ...(options.args ?? []),
    ],
    { ...(options.env && { env: options.env }) },
  )
}
