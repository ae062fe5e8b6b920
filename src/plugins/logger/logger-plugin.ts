import { createConsoleLines, defaultConsoleLevel } from '../../console-lines.ts'
import type { ProxMCPPlugin } from '../types.ts'
import { batchedLines } from './batched-lines.ts'
import { logEntry, type RequestLogEntry } from './log-entry.ts'
import { prettyLine } from './pretty-line.ts'

export interface LoggerOptions {
  /** `json`: one JSON object a line, for log shippers. `pretty`: a readable line, for people. */
  format?: 'pretty' | 'json'
  /**
   * Where lines go. Default: standard output for JSON, written once per turn of the event loop;
   * for pretty, consola (4xx as warnings, 5xx as errors).
   */
  sink?: (line: string, entry: RequestLogEntry) => void
  /**
   * Also log each request's JSON-RPC params, with the values of keys that look secret
   * (authorization, api key, token, secret, password) redacted at any depth. Default false.
   */
  bodies?: boolean
}

/**
 * Logs one line per request, when its response starts: time, request id, HTTP method and path,
 * session, client address, identity, JSON-RPC method, tool or prompt name or resource URI,
 * upstream, status and duration. Never headers, so never credentials; params only with `bodies`.
 * Runs in `onResponse`, so it logs refused requests (401, 429) too, wherever it sits in the list.
 *
 * @example
 * ```ts
 * loggerPlugin({ format: 'json' })
 * loggerPlugin({ format: 'pretty', bodies: true, sink: (line) => myLogger.info(line) })
 * ```
 */
export function loggerPlugin(options: LoggerOptions = {}): ProxMCPPlugin {
  const format = options.format ?? 'pretty'
  const stdout = options.sink || format !== 'json' ? undefined : batchedLines((text) => console.log(text))
  const sink = options.sink ?? (stdout ? (line: string) => stdout.push(line) : consolaSink())
  return {
    name: 'logger',
    onResponse(ctx, response, durationMs) {
      const entry = logEntry(ctx, response.status, durationMs, options.bodies === true)
      sink(format === 'json' ? JSON.stringify(entry) : prettyLine(entry), entry)
    },
    onClose: () => stdout?.flush(),
  }
}

function consolaSink(): NonNullable<LoggerOptions['sink']> {
  const consola = createConsoleLines(defaultConsoleLevel())
  return (line, entry) => {
    if (entry.status >= 500) consola.error(line)
    else if (entry.status >= 400) consola.warn(line)
    else consola.info(line)
  }
}
