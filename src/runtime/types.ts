/** What the core needs to run a local subprocess; each runtime adapter provides it. */
export interface SpawnOptions {
  command: string[]
  env?: Record<string, string>
  cwd?: string
}

/** A running subprocess, seen through Web streams so the core stays runtime-neutral. */
export interface ChildProcessHandle {
  readonly pid: number
  readonly stdout: ReadableStream<Uint8Array>
  readonly stderr: ReadableStream<Uint8Array>
  /** Resolves with the exit code (null when ended by a signal). */
  readonly exited: Promise<number | null>
  write(data: string): Promise<void>
  /** Ends the process and every process it started. */
  kill(): void
}

export type SpawnFn = (options: SpawnOptions) => ChildProcessHandle
