import { join } from 'node:path'
import { firstLine } from '../lib/first-line.ts'
import { BENCH_DIR, BUN } from '../lib/paths.ts'
import { startProcess } from '../lib/processes.ts'

export interface HttpUpstreams {
  pid: number
  urls: string[]
  stop(): Promise<void>
}

/** Starts the bench's HTTP upstream process, serving `count` instances (u1..uN). */
export async function startHttpUpstreams(
  name: string,
  options: { count: number; fillerTools: number; era: 'both' | 'legacy' },
): Promise<HttpUpstreams> {
  const child = startProcess(
    name,
    [
      BUN,
      join(BENCH_DIR, 'upstreams', 'http-upstream.ts'),
      '--count',
      String(options.count),
      '--filler-tools',
      String(options.fillerTools),
      '--era',
      options.era,
    ],
    { captureStdout: true },
  )
  const line = await firstLine(child.stdout as ReadableStream<Uint8Array>, 15_000)
  const { urls } = JSON.parse(line) as { urls: string[] }
  return { pid: child.pid, urls, stop: child.stop }
}

/** The command line of the bench's stdio upstream. */
export const STDIO_UPSTREAM = [BUN, join(BENCH_DIR, 'upstreams', 'stdio-upstream.ts')]
