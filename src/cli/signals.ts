const SHUTDOWN_DEADLINE_MS = 10_000

/** On SIGINT/SIGTERM runs `shutdown` once, then exits 0 (or 1 if it overran its deadline). */
export function onShutdownSignal(shutdown: () => Promise<void>): void {
  let stopping = false
  const stop = () => {
    if (stopping) return
    stopping = true
    setTimeout(() => process.exit(1), SHUTDOWN_DEADLINE_MS).unref()
    void shutdown().finally(() => process.exit(0))
  }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
}
