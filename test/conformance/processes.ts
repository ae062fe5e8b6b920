import { readLines } from '../../src/upstream/read-lines.ts'

export interface StartedProcess {
  /** What the process printed as its address, matched by `ready`. */
  url: string
  /** The last lines it printed, for reports on failure. */
  output: string[]
  stop(): Promise<void>
}

const STOP_GRACE_MS = 3_000
/** Lines of output kept for a report on failure. */
const KEPT_LINES = 200

/**
 * Starts a server process in its own process group and resolves once it prints a line matching
 * `ready` (first capture group: its URL). Ends the group if it does not get there in time.
 */
export async function startServerProcess(options: {
  name: string
  cmd: string[]
  cwd?: string
  ready: RegExp
  timeoutMs: number
}): Promise<StartedProcess> {
  const child = Bun.spawn({
    cmd: options.cmd,
    cwd: options.cwd,
    stdin: 'ignore',
    stdout: 'pipe',
    stderr: 'pipe',
    detached: true,
  })
  const output: string[] = []
  const stop = () => stopGroup(child)
  let timer: Timer | undefined
  const url = new Promise<string>((resolve, reject) => {
    const onLine = (line: string) => {
      output.push(line)
      if (output.length > KEPT_LINES) output.shift()
      const match = options.ready.exec(line)
      if (match?.[1]) resolve(match[1])
    }
    void readLines(child.stdout, onLine).catch(() => {})
    void readLines(child.stderr, onLine).catch(() => {})
    void child.exited.then((code) => reject(new Error(`${options.name} exited with code ${code}`)))
    timer = setTimeout(
      () => reject(new Error(`${options.name} did not start within ${options.timeoutMs} ms`)),
      options.timeoutMs,
    )
  })
  try {
    return { url: await url, output, stop }
  } catch (error) {
    await stop()
    throw new Error(`${(error as Error).message}\n${output.slice(-20).join('\n')}`)
  } finally {
    clearTimeout(timer)
  }
}

/** SIGTERM to the group, SIGKILL to whatever is left after a grace period. */
export async function stopGroup(child: { pid: number; exited: Promise<number | null> }): Promise<void> {
  signalGroup(child.pid, 'SIGTERM')
  const exited = await Promise.race([
    child.exited.then(() => true),
    Bun.sleep(STOP_GRACE_MS).then(() => false),
  ])
  if (!exited) {
    signalGroup(child.pid, 'SIGKILL')
    await child.exited
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal)
  } catch {
    // The group is already gone.
  }
}
