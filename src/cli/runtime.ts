import type { RunningServer, ServeOptions } from '../runtime/serve-types.ts'
import type { SpawnFn } from '../runtime/types.ts'

/** What the CLI needs from the runtime it runs on (Bun or Node). */
export interface CliRuntime {
  spawn: SpawnFn
  serve(options: ServeOptions): RunningServer | Promise<RunningServer>
  /** Loads a config module (.ts, .js, .mjs), afresh each time, and returns its default export. */
  importConfig(path: string): Promise<unknown>
}
