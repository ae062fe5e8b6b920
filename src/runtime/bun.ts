import { childEnvironment } from './child-env.ts'
import { killTree } from './kill-tree.ts'
import type { RunningServer, ServeOptions } from './serve-types.ts'
import type { ChildProcessHandle, SpawnOptions } from './types.ts'

/** Spawns a stdio upstream with Bun.spawn, in its own process group so the whole tree can be ended. */
export function spawnWithBun(options: SpawnOptions): ChildProcessHandle {
  const child = Bun.spawn({
    cmd: options.command,
    cwd: options.cwd,
    env: childEnvironment(process.env, options.env),
    stdin: 'pipe',
    stdout: 'pipe',
    stderr: 'pipe',
    detached: true,
  })
  return {
    pid: child.pid,
    stdout: child.stdout,
    stderr: child.stderr,
    exited: child.exited.then((code) => (child.signalCode ? null : code)),
    async write(data) {
      child.stdin.write(data)
      await child.stdin.flush()
    },
    kill: () => killTree(child.pid),
  }
}

/** Serves with Bun.serve; idle timeout off, since SSE streams stay quiet for long stretches. */
export function serveWithBun(options: ServeOptions): RunningServer {
  const server = Bun.serve({
    port: options.port,
    hostname: options.hostname,
    idleTimeout: 0,
    fetch: (request, server) => options.fetch(request, server.requestIP(request)?.address),
  })
  return { port: server.port ?? options.port, stop: () => server.stop(true) }
}
