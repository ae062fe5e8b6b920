import { freePort, waitFor } from './wait.ts'

export interface RedisServer {
  url: string
  stop(): Promise<void>
}

/** Why Redis tests cannot run here, or undefined when `redis-server` is on PATH. */
export const redisUnavailable = Bun.which('redis-server') ? undefined : 'redis-server is not on PATH'

/** A throwaway redis-server on a free loopback port: no persistence, killed by `stop`. */
export async function startRedis(port = freePort()): Promise<RedisServer> {
  const child = Bun.spawn(
    ['redis-server', '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdout: 'ignore', stderr: 'ignore' },
  )
  const url = `redis://127.0.0.1:${port}`
  await waitFor(async () => {
    try {
      await Bun.connect({ hostname: '127.0.0.1', port, socket: { data() {} } }).then((socket) => socket.end())
      return true
    } catch {
      return false
    }
  }, 'redis-server to listen')
  return {
    url,
    stop: async () => {
      child.kill()
      await child.exited
    },
  }
}
