import type { LoadSpec } from './run-load.ts'

/** How the sessions of one target are opened in the load generator. */
export type Driver = 'raw' | 'sdk' | 'stdio'

/** Commands the orchestrator sends the load-generator process, one JSON object a line. */
export type WorkerCommand =
  | {
      cmd: 'open'
      target: string
      driver: Driver
      /** An MCP endpoint URL, or for `stdio` the server command line as JSON array. */
      endpoint: string | string[]
      sessions: number
      /** The tool each session calls once before measuring, so lazily opened upstream links exist. */
      warmTool: string
      /** Credentials, one set a client: session i sends `headers[i % headers.length]` (raw driver). */
      headers?: Record<string, string>[]
    }
  | ({ cmd: 'run'; target: string } & LoadSpec)
  | { cmd: 'close'; target: string }
  | { cmd: 'exit' }

export interface WorkerReply {
  seq: number
  ok: boolean
  value?: unknown
  error?: string
}
