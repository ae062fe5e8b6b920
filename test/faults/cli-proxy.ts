import { readFileSync } from 'node:fs'
import { freePort, isAlive, waitFor } from '../helpers/wait.ts'

const BUN = `${process.cwd()}/node_modules/.bin/bun`

export interface CliProxy {
  url: string
  pid: number
  /** Everything the process printed, stdout and stderr. */
  output(): string
  /** Resident memory of the process in MiB, read from /proc. */
  rssMiB(): number
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>
  /** Sends SIGKILL if the process is still there: the cleanup of last resort. */
  kill(): void
}

/** Runs the real CLI (`bun src/cli/bun.ts`) as a subprocess on a free loopback port. */
export async function startCliProxy(args: string[]): Promise<CliProxy> {
  const port = freePort()
  const child = Bun.spawn([BUN, 'src/cli/bun.ts', '--port', String(port), ...args], {
    stdout: 'pipe',
    stderr: 'pipe',
    env: { ...process.env, NO_COLOR: '1' },
  })
  let output = ''
  const drain = async (stream: ReadableStream<Uint8Array>) => {
    const decoder = new TextDecoder()
    const reader = stream.getReader()
    for (;;) {
      const { value, done } = await reader.read()
      if (done) return
      output += decoder.decode(value)
    }
  }
  void drain(child.stdout)
  void drain(child.stderr)
  const exited = child.exited.then((code) => (child.signalCode ? null : code))
  const proxy: CliProxy = {
    url: `http://127.0.0.1:${port}/mcp`,
    pid: child.pid,
    output: () => output,
    rssMiB: () => rssMiB(child.pid),
    exited,
    kill: () => {
      if (isAlive(child.pid)) child.kill('SIGKILL')
    },
  }
  try {
    await waitFor(
      () =>
        fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(1_000) }).then(
          (response) => response.ok,
          () => false,
        ),
      'the CLI proxy to listen',
      20_000,
    )
  } catch (error) {
    proxy.kill()
    throw new Error(`${(error as Error).message}; it printed:\n${output}`)
  }
  return proxy
}

/** VmRSS of a process in MiB (0 once it is gone). */
export function rssMiB(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8')
    const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0)
    return Math.round(kb / 1024)
  } catch {
    return 0
  }
}

/** Pids of the processes whose command line contains `marker`. */
export function pidsMatching(marker: string): number[] {
  const found = Bun.spawnSync(['pgrep', '-f', marker]).stdout.toString().trim()
  return found ? found.split('\n').map(Number) : []
}
