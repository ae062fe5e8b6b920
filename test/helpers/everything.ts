import { dirname, join } from 'node:path'
import { freePort, waitFor } from './wait.ts'

/** The reference server, `@modelcontextprotocol/server-everything`, as installed. */
export const EVERYTHING = join(
  dirname(Bun.resolveSync('@modelcontextprotocol/server-everything/package.json', import.meta.dir)),
  'dist/index.js',
)

/** Runs server-everything over HTTP (`sse` or `streamableHttp`) on a free loopback port. */
export async function startEverything(
  mode: 'sse' | 'streamableHttp',
): Promise<{ url: string; stop(): void }> {
  const port = freePort()
  const child = Bun.spawn(['node', EVERYTHING, mode], {
    env: { ...process.env, PORT: String(port) },
    stdout: 'ignore',
    stderr: 'ignore',
  })
  const base = `http://127.0.0.1:${port}`
  await waitFor(
    () =>
      fetch(`${base}/`, { signal: AbortSignal.timeout(500) }).then(
        () => true,
        () => false,
      ),
    'server-everything to listen',
  )
  return { url: `${base}/${mode === 'sse' ? 'sse' : 'mcp'}`, stop: () => child.kill() }
}
