const KILL_AFTER_MS = 2_000

/**
 * Ends a process group started detached: the child and everything it spawned. SIGTERM first, SIGKILL
 * for whatever is still there after a grace period. A process that is already gone is fine.
 */
export function killTree(pid: number): void {
  signalTree(pid, 'SIGTERM')
  setTimeout(() => signalTree(pid, 'SIGKILL'), KILL_AFTER_MS).unref()
}

function signalTree(pid: number, signal: NodeJS.Signals): void {
  for (const target of [-pid, pid]) {
    try {
      process.kill(target, signal)
    } catch {
      // Already exited, or process groups are not supported here (Windows): nothing left to signal.
    }
  }
}
