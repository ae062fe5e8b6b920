import { statSync } from 'node:fs'
import { BUN, ROOT } from '../lib/paths.ts'
import { logFile } from '../lib/processes.ts'

export interface Compiled {
  path: string
  bytes: number
  buildMs: number
}

const BUILD_TIMEOUT_MS = 180_000

/** Compiles an entry point into a standalone executable: `bun build --compile --minify [flags]`. */
export async function compileEntry(entry: string, outfile: string, extraFlags: string[]): Promise<Compiled> {
  const started = performance.now()
  const build = Bun.spawn({
    cmd: [BUN, 'build', '--compile', '--minify', ...extraFlags, entry, '--outfile', outfile],
    cwd: ROOT,
    stdout: logFile('case4-build'),
    stderr: 'pipe',
    timeout: BUILD_TIMEOUT_MS,
  })
  const stderr = await new Response(build.stderr).text()
  const code = await build.exited
  if (code !== 0) throw new Error(`bun build ${entry} failed with code ${code}: ${stderr.slice(0, 500)}`)
  return { path: outfile, bytes: statSync(outfile).size, buildMs: performance.now() - started }
}
