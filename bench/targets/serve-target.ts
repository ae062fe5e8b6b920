import { freePort } from '../lib/free-port.ts'
import { startProcess } from '../lib/processes.ts'
import { waitForFirstAnswer } from '../lib/wait-ready.ts'
import type { Target } from './target.ts'

/** Starts a server process on a free loopback port and waits for its first answered `initialize`. */
export async function serveTarget(
  name: string,
  command: (port: number) => string[],
  options: { path?: string; timeoutMs?: number; env?: Record<string, string> } = {},
): Promise<Target> {
  const port = await freePort()
  const started = performance.now()
  const child = startProcess(name, command(port), { ...(options.env && { env: options.env }) })
  const url = `http://127.0.0.1:${port}${options.path ?? '/mcp'}`
  try {
    await waitForFirstAnswer(url, { timeoutMs: options.timeoutMs ?? 30_000, exited: child.exited })
  } catch (error) {
    await child.stop()
    throw new Error(
      `${name}: ${error instanceof Error ? error.message : String(error)} (see bench/results/logs/${name}.log)`,
    )
  }
  return { name, url, pid: child.pid, startMs: performance.now() - started, stop: child.stop }
}
