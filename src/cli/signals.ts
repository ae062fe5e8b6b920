/** How long calls in flight may take to finish after SIGINT/SIGTERM. */
const GRACE_MS = 8_000
/** Past this, the process exits anyway (code 1). */
const HARD_DEADLINE_MS = 10_000

/** On SIGINT/SIGTERM runs `shutdown` once, then exits 0 (or 1 if it overran the hard deadline). */
export function onShutdownSignal(shutdown: (graceMs: number) => Promise<void>): void {
  let stopping = false
  const stop = () => {
    if (stopping) return
    stopping = true
    setTimeout(() => process.exit(1), HARD_DEADLINE_MS).unref()
    void shutdown(GRACE_MS).finally(() => process.exit(0))
  }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
}
