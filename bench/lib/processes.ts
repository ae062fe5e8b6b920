import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { descendantsOf } from './proc-stats.ts'

/** Where every spawned process writes its stdout and stderr (bench/results/ is gitignored). */
export const LOG_DIR = join(import.meta.dir, '..', 'results', 'logs')

export interface BenchProcess {
  name: string
  pid: number
  /** Present when started with `captureStdout`; otherwise stdout goes to the log. */
  stdout?: ReadableStream<Uint8Array>
  exited: Promise<number | null>
  /** Ends the process and everything it started (graceful first, then SIGKILL). */
  stop(): Promise<void>
}

const running = new Set<BenchProcess>()

/** The log file for a process of the bench (the directory is created on first use). */
export function logFile(name: string) {
  mkdirSync(LOG_DIR, { recursive: true })
  const path = join(LOG_DIR, `${name}.log`)
  // A child writes into the file from its start without truncating it: empty it first.
  writeFileSync(path, '')
  return Bun.file(path)
}
const GRACE_MS = 3_000

/**
 * Starts a process in its own process group, logging to bench/results/logs/<name>.log, and tracks
 * it so `stopAll()` ends it whatever happens to the run.
 */
export function startProcess(
  name: string,
  cmd: string[],
  options: { env?: Record<string, string>; captureStdout?: boolean } = {},
): BenchProcess {
  const log = logFile(name)
  const child = Bun.spawn({
    cmd,
    cwd: join(import.meta.dir, '..', '..'),
    env: { ...process.env, ...options.env },
    stdin: 'ignore',
    stdout: options.captureStdout ? 'pipe' : log,
    stderr: log,
    detached: true,
  })
  const handle = track(name, child.pid, child.exited)
  if (options.captureStdout) handle.stdout = child.stdout as ReadableStream<Uint8Array>
  return handle
}

/** Tracks a process spawned elsewhere (e.g. with piped stdio), so `stopAll()` ends it too. */
export function track(name: string, pid: number, exited: Promise<number | null>): BenchProcess {
  let stopping: Promise<void> | undefined
  const handle: BenchProcess = {
    name,
    pid,
    exited,
    stop: () => {
      stopping ??= stopTree(pid, exited).finally(() => running.delete(handle))
      return stopping
    },
  }
  running.add(handle)
  return handle
}

/** Ends every process the bench started; safe to call more than once. */
export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((child) => child.stop()))
}

/**
 * SIGTERM lets a proxy end its own upstream processes (they may sit in process groups of their
 * own); whatever is left after the grace period, and every descendant seen before, gets SIGKILL.
 */
async function stopTree(pid: number, exited: Promise<number | null>): Promise<void> {
  const descendants = descendantsOf(pid)
  // One SIGTERM only: a second one would hit a process whose once-handler is already spent.
  signalTree(pid, 'SIGTERM')
  await Promise.race([exited, Bun.sleep(GRACE_MS)])
  for (const target of [pid, ...descendants]) signalTree(target, 'SIGKILL')
  await Promise.race([exited, Bun.sleep(GRACE_MS)])
}

/** Signals the process group led by `pid`, or the process alone when it leads none. */
function signalTree(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(-pid, name)
  } catch {
    try {
      process.kill(pid, name)
    } catch {
      // Already gone.
    }
  }
}
