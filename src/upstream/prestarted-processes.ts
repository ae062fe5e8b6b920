import type { ChildProcessHandle, SpawnFn, SpawnOptions } from '../runtime/types.ts'

/**
 * Processes of one stdio upstream started ahead of the sessions that will use them: a new session's
 * first call then waits only for the handshake, not for a runtime to start (for an `npx` server,
 * seconds). Each one handed out is replaced at once; one that exits while it waits is dropped,
 * and replaced only when the next is handed out, so a server that cannot start is not restarted
 * in a loop.
 */
export class PrestartedProcesses {
  private readonly waiting = new Set<ChildProcessHandle>()
  private closed = false

  constructor(
    private readonly spawn: SpawnFn,
    private readonly options: SpawnOptions,
    private readonly size: number,
    /** Told of each process started ahead and each one handed out (debug lines). */
    private readonly say: (message: string) => void,
  ) {}

  /** Tops the pool up to its size (at first, once the upstream is known to start). */
  fill(): void {
    try {
      while (!this.closed && this.waiting.size < this.size) {
        const child = this.spawn(this.options)
        this.say(`process ${child.pid} started ahead for the next session`)
        this.waiting.add(child)
        void child.exited.then(() => this.waiting.delete(child))
      }
    } catch (error) {
      // A session's own spawn reports why the command cannot start; the pool tries again at the next.
      this.say(`no process could be started ahead: ${error instanceof Error ? error.message : error}`)
    }
  }

  /** A process for a new session: one that is waiting, else a fresh one. */
  take: SpawnFn = () => {
    const [waiting] = this.waiting
    if (waiting) {
      this.waiting.delete(waiting)
      this.say(`a session takes process ${waiting.pid}, started ahead`)
    }
    const child = waiting ?? this.spawn(this.options)
    this.fill()
    return child
  }

  /** Ends the processes still waiting; none are started after. */
  close(): void {
    this.closed = true
    for (const child of this.waiting) child.kill()
    this.waiting.clear()
  }
}
