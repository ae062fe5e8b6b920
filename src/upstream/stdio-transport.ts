import type { JSONRPCMessage, Transport } from '@modelcontextprotocol/client'
import { deserializeMessage, serializeMessage } from '@modelcontextprotocol/client'
import type { ChildProcessHandle, SpawnFn, SpawnOptions } from '../runtime/types.ts'
import { readLines } from './read-lines.ts'

const EXIT_GRACE_MS = 2_000
/** How much of what a process wrote to stderr last is kept, to tell why it exited. */
const STDERR_TAIL_LINES = 10
const STDERR_LINE_CHARS = 300
/** How long an exit report waits for the rest of stderr to be read. */
const STDERR_DRAIN_MS = 200
/** How long a process whose stdout ended has to exit by itself before it is stopped. */
const STDOUT_CLOSED_GRACE_MS = 1_000

/** How a process ended without being asked to, and the last lines it wrote to stderr. */
export interface ProcessExit {
  /** One line, for clients and status: `the process exited with code 1`. */
  reason: string
  stderr: string[]
}

export interface StdioEvents {
  onStderrLine(line: string): void
  onExit(exit: ProcessExit): void
}

/** An exit as the log tells it: its reason, then the end of its stderr (never sent to clients). */
export function describeProcessExit({ reason, stderr }: ProcessExit): string {
  if (stderr.length === 0) return `${reason}, writing nothing to stderr`
  return `${reason}; its last words on stderr:\n${stderr.map((line) => `  ${line}`).join('\n')}`
}

/**
 * MCP over a subprocess's stdin/stdout, spawned through the runtime adapter (Bun or
 * Node child processes), so the core never touches a runtime API. Closing ends the whole process tree.
 */
export class StdioUpstreamTransport implements Transport {
  onclose?: () => void
  onerror?: (error: Error) => void
  onmessage?: (message: JSONRPCMessage) => void
  private child?: ChildProcessHandle
  private closed = false
  private closing = false
  private readonly stderrTail: string[] = []

  constructor(
    private readonly spawn: SpawnFn,
    private readonly options: SpawnOptions,
    private readonly events: StdioEvents,
  ) {}

  async start(): Promise<void> {
    const child = this.spawn(this.options)
    this.child = child
    const stdoutRead = readLines(child.stdout, (line) => this.receive(line)).catch((error) =>
      this.onerror?.(error),
    )
    const stderrRead = readLines(child.stderr, (line) => this.onStderr(line)).catch(() => {})
    void child.exited.then(async (code) => {
      if (!this.closing) {
        this.closing = true
        await Promise.race([stderrRead, delay(STDERR_DRAIN_MS)])
        const reason =
          code === null ? 'the process was killed by a signal' : `the process exited with code ${code}`
        this.events.onExit(this.exit(reason))
      }
      this.finish()
    })
    // A process that closed its stdout can answer nothing more, even if it lives on.
    void stdoutRead.then(async () => {
      if (this.closing) return
      await delay(STDOUT_CLOSED_GRACE_MS)
      if (this.closing || this.closed) return
      this.closing = true
      this.events.onExit(this.exit('the process closed its stdout and was stopped'))
      this.finish()
    })
  }

  async send(message: JSONRPCMessage): Promise<void> {
    if (!this.child || this.closed) throw new Error('the stdio upstream process is not running')
    await this.child.write(serializeMessage(message))
  }

  async close(): Promise<void> {
    const child = this.child
    this.closing = true
    if (!child || this.closed) return this.finish()
    child.kill()
    await Promise.race([child.exited, delay(EXIT_GRACE_MS)])
    this.finish()
  }

  private async receive(line: string): Promise<void> {
    if (!line.trim()) return
    let message: JSONRPCMessage
    try {
      message = deserializeMessage(line)
    } catch {
      // Servers and their tooling sometimes print non-protocol lines to stdout; they are not ours to relay.
      this.events.onStderrLine(line)
      return
    }
    this.onmessage?.(message)
    // The SDK handles a notification a turn later than a response, and drops progress whose request
    // has already been answered. A server writing progress and result together must not lose the progress.
    if (!('id' in message)) await new Promise((resolve) => setTimeout(resolve, 0))
  }

  private onStderr(line: string): void {
    this.stderrTail.push(line.slice(0, STDERR_LINE_CHARS))
    if (this.stderrTail.length > STDERR_TAIL_LINES) this.stderrTail.shift()
    this.events.onStderrLine(line)
  }

  private exit(reason: string): ProcessExit {
    return { reason, stderr: this.stderrTail.filter((line) => line.trim() !== '') }
  }

  private finish(): void {
    if (this.closed) return
    this.closed = true
    // The direct child may be gone while processes it started live on: end the tree either way.
    this.child?.kill()
    this.onclose?.()
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
