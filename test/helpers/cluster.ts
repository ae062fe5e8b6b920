import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Subprocess } from 'bun'
import { type RedisServer, startRedis } from './redis-server.ts'
import { freePort, waitFor, waitForHealthz } from './wait.ts'

export const CLUSTER_SECRET = 'a-test-secret-of-at-least-32-characters'

export interface Replica {
  port: number
  child: Subprocess<'ignore', 'pipe', 'pipe'>
  output: Promise<string>
}

export interface Cluster {
  redis: RedisServer
  replicas: Replica[]
  /** The balancer's /mcp: each request goes to the next live replica in turn. */
  url: string
  /** Which replica served each request the balancer passed on, in order (index into `replicas`). */
  served: number[]
  kill(index: number): void
  stop(): Promise<void>
}

export interface ClusterOptions {
  /** More flags for every replica's command line, after `--config` and `--port` (e.g. `--upstream URL`). */
  args?: string[]
  /** The Redis URL replica `index` is given, from the real one (e.g. a hop in front of it). */
  redisFor?: (redisUrl: string, index: number) => string
}

/** Starts one ProxMCP process of the cluster (the CLI, as deployed) on a free port. */
async function startReplica(configPath: string, redisUrl: string, args: string[]): Promise<Replica> {
  const port = freePort()
  const child = Bun.spawn(
    [
      process.execPath,
      join(process.cwd(), 'src/cli/bun.ts'),
      '--config',
      configPath,
      '--port',
      String(port),
      ...args,
    ],
    {
      env: { ...process.env, PROXMCP_CLUSTER_REDIS: redisUrl, PROXMCP_CLUSTER_SECRET: CLUSTER_SECRET },
      stdin: 'ignore',
      stdout: 'pipe',
      stderr: 'pipe',
    },
  )
  // Drained from the start: a full pipe would stall the replica.
  const output = Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text()]).then(
    (parts) => parts.join(''),
  )
  await waitForHealthz(port)
  // Ready once it has joined the cluster (reached Redis) and an upstream is up.
  await waitFor(
    () =>
      fetch(`http://127.0.0.1:${port}/readyz`).then(
        (response) => response.ok,
        () => false,
      ),
    'the replica to be ready',
  )
  return { port, child, output }
}

/**
 * `count` replicas sharing a throwaway Redis, behind a round-robin balancer with no affinity. Like
 * a real balancer it passes a request on to the next replica when one refuses the connection, and
 * cuts the client's stream when the replica serving it dies.
 */
export async function startCluster(
  config: object,
  count = 3,
  options: ClusterOptions = {},
): Promise<Cluster> {
  const redis = await startRedis()
  const dir = mkdtempSync(join(tmpdir(), 'proxmcp-cluster-'))
  const configPath = join(dir, 'proxmcp.config.json')
  writeFileSync(configPath, JSON.stringify(config))
  const replicas = await Promise.all(
    Array.from({ length: count }, (_, index) =>
      startReplica(configPath, options.redisFor?.(redis.url, index) ?? redis.url, options.args ?? []),
    ),
  )
  const served: number[] = []
  let turn = 0
  const balancer = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    idleTimeout: 0,
    async fetch(request) {
      const url = new URL(request.url)
      const body =
        request.method === 'GET' || request.method === 'HEAD' ? undefined : await request.arrayBuffer()
      const first = turn++
      for (let tries = 0; tries < replicas.length; tries++) {
        const index = (first + tries) % replicas.length
        const replica = replicas[index] as Replica
        const headers = new Headers(request.headers)
        headers.set('host', `127.0.0.1:${replica.port}`)
        try {
          const response = await fetch(`http://127.0.0.1:${replica.port}${url.pathname}${url.search}`, {
            method: request.method,
            headers,
            body,
            signal: request.signal,
            redirect: 'manual',
          })
          served.push(index)
          return new Response(response.body, { status: response.status, headers: response.headers })
        } catch (error) {
          if (request.signal.aborted) throw error
        }
      }
      return new Response('no replica answered', { status: 502 })
    },
  })
  return {
    redis,
    replicas,
    url: `http://127.0.0.1:${balancer.port}/mcp`,
    served,
    kill(index) {
      ;(replicas[index] as Replica).child.kill('SIGKILL')
    },
    async stop() {
      balancer.stop(true)
      for (const replica of replicas) replica.child.kill('SIGTERM')
      await Promise.all(replicas.map((replica) => replica.child.exited))
      await redis.stop()
    },
  }
}

/** The /mcp endpoints of the first two replicas (and any others), to reach each directly. */
export function replicaEndpoints(cluster: Cluster): [string, string, ...string[]] {
  return cluster.replicas.map((replica) => `http://127.0.0.1:${replica.port}/mcp`) as [
    string,
    string,
    ...string[],
  ]
}

export { waitForHealthz }
