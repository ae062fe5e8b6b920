import { freePort } from '../lib/free-port.ts'
import { startProcess } from '../lib/processes.ts'

export interface RedisServer {
  url: string
  pid: number
  stop(): Promise<void>
}

/** A throwaway `redis-server` (from PATH) on a free loopback port, without persistence. */
export async function startRedis(name: string, timeoutMs = 10_000): Promise<RedisServer> {
  if (!Bun.which('redis-server')) throw new Error('redis-server is not on PATH')
  const port = await freePort()
  const child = startProcess(name, [
    'redis-server',
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'no',
  ])
  const started = performance.now()
  while (!(await listening(port))) {
    if (performance.now() - started > timeoutMs) {
      await child.stop()
      throw new Error(`${name}: not listening within ${timeoutMs} ms (see bench/results/logs/${name}.log)`)
    }
    await Bun.sleep(20)
  }
  return { url: `redis://127.0.0.1:${port}`, pid: child.pid, stop: child.stop }
}

function listening(port: number): Promise<boolean> {
  return Bun.connect({ hostname: '127.0.0.1', port, socket: { data() {} } }).then(
    (socket) => {
      socket.end()
      return true
    },
    () => false,
  )
}
