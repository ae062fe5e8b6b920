import { spawn } from 'node:child_process'
import type { AddressInfo } from 'node:net'
import { Readable } from 'node:stream'
import { serve } from '@hono/node-server'
import { childEnvironment } from './child-env.ts'
import { killTree } from './kill-tree.ts'
import type { RunningServer, ServeOptions } from './serve-types.ts'
import type { ChildProcessHandle, SpawnOptions } from './types.ts'

/** Spawns a stdio upstream with node:child_process, in its own process group so the whole tree can be ended. */
export function spawnWithNode(options: SpawnOptions): ChildProcessHandle {
  const [program, ...args] = options.command
  const child = spawn(program as string, args, {
    cwd: options.cwd,
    env: childEnvironment(process.env, options.env),
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: process.platform !== 'win32',
  })
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => resolve(code))
    child.once('error', () => resolve(null))
  })
  child.stdin.on('error', () => {})
  return {
    pid: child.pid ?? -1,
    stdout: Readable.toWeb(child.stdout) as unknown as ReadableStream<Uint8Array>,
    stderr: Readable.toWeb(child.stderr) as unknown as ReadableStream<Uint8Array>,
    exited,
    write: (data) =>
      new Promise((resolve, reject) =>
        child.stdin.write(data, (error) => (error ? reject(error) : resolve())),
      ),
    kill: () => {
      if (child.pid !== undefined) killTree(child.pid)
    },
  }
}

/** Serves with @hono/node-server. */
export function serveWithNode(options: ServeOptions): Promise<RunningServer> {
  return new Promise((resolve, reject) => {
    const server = serve(
      {
        port: options.port,
        hostname: options.hostname,
        fetch: (request, env: { incoming?: { socket?: { remoteAddress?: string } } }) =>
          options.fetch(request, env.incoming?.socket?.remoteAddress),
      },
      (info: AddressInfo) =>
        resolve({
          port: info.port,
          stop: () =>
            new Promise((done) => {
              if ('closeAllConnections' in server) server.closeAllConnections()
              server.close(() => done())
            }),
        }),
    )
    // A port in use or refused fails the promise instead of crashing the process.
    server.once('error', reject)
  })
}
