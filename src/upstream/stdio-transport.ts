import type { JSONRPCMessage, Transport } from '@modelcontextprotocol/client'
import { deserializeMessage, serializeMessage } from '@modelcontextprotocol/client'
import type { ChildProcessHandle, SpawnFn, SpawnOptions } from '../runtime/types.ts'
import { readLines } from './read-lines.ts'

const EXIT_GRACE_MS = 2_000

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

  constructor(
    private readonly spawn: SpawnFn,
    private readonly options: SpawnOptions,
    private readonly onStderrLine: (line: string) => void,
  ) {}

  get pid(): number | undefined {
    return this.child?.pid
  }

  async start(): Promise<void> {
    const child = this.spawn(this.options)
    this.child = child
    void readLines(child.stdout, (line) => this.receive(line)).catch((error) => this.onerror?.(error))
    void readLines(child.stderr, this.onStderrLine).catch(() => {})
    void child.exited.then(() => this.finish())
  }

  async send(message: JSONRPCMessage): Promise<void> {
    if (!this.child || this.closed) throw new Error('the stdio upstream process is not running')
    await this.child.write(serializeMessage(message))
  }

  async close(): Promise<void> {
    const child = this.child
    if (!child || this.closed) return this.finish()
    child.kill()
    await Promise.race([child.exited, new Promise((resolve) => setTimeout(resolve, EXIT_GRACE_MS))])
    this.finish()
  }

  private async receive(line: string): Promise<void> {
    if (!line.trim()) return
    let message: JSONRPCMessage
    try {
      message = deserializeMessage(line)
    } catch {
      // Servers and their tooling sometimes print non-protocol lines to stdout; they are not ours to relay.
      this.onStderrLine(line)
      return
    }
    this.onmessage?.(message)
    // The SDK handles a notification a turn later than a response, and drops progress whose request
    // has already been answered. A server writing progress and result together must not lose the progress.
    if (!('id' in message)) await new Promise((resolve) => setTimeout(resolve, 0))
  }

  private finish(): void {
    if (this.closed) return
    this.closed = true
    // The direct child may be gone while processes it started live on: end the tree either way.
    this.child?.kill()
    this.onclose?.()
  }
}
