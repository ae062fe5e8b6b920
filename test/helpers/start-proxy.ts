import type { Logger } from '../../src/logger.ts'
import { ProxMCP, type ProxMCPOptions } from '../../src/proxy.ts'
import { serveWithBun, spawnWithBun } from '../../src/runtime/bun.ts'

export interface TestProxy {
  proxy: ProxMCP
  url: string
  logs: string[]
  stop(): Promise<void>
}

/** A recording logger, so tests can assert on warnings. */
export function recordingLogger(lines: string[]): Logger {
  const record = (level: string) => (message: string) => void lines.push(`${level}: ${message}`)
  return { debug: record('debug'), info: record('info'), warn: record('warn'), error: record('error') }
}

/** Runs the proxy on a free loopback port with Bun.serve, as the CLI does. */
export async function startProxy(options: Omit<ProxMCPOptions, 'spawn' | 'logger'>): Promise<TestProxy> {
  const logs: string[] = []
  const proxy = new ProxMCP({ ...options, spawn: spawnWithBun, logger: recordingLogger(logs) })
  await proxy.start()
  const app = proxy.getApp()
  const server = serveWithBun({
    port: 0,
    hostname: '127.0.0.1',
    fetch: (request, clientAddress) => app.fetch(request, { clientAddress }),
  })
  return {
    proxy,
    url: `http://127.0.0.1:${server.port}/mcp`,
    logs,
    stop: async () => {
      await proxy.stop()
      await server.stop()
    },
  }
}
