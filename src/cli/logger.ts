import { createConsola, type LogObject } from 'consola/core'
import { createConsoleLines } from '../console-lines.ts'
import type { Logger } from '../logger.ts'

/** Info and above, whatever NODE_ENV says (consola would drop to warnings under NODE_ENV=test). */
const INFO = 3

/** Console output for people (pretty, with consola) or for log shippers (one JSON object a line). */
export function createCliLogger(format: 'pretty' | 'json'): Logger {
  const consola =
    format === 'json'
      ? createConsola({
          level: INFO,
          reporters: [{ log: (entry: LogObject) => process.stderr.write(`${jsonLine(entry)}\n`) }],
        })
      : createConsoleLines(INFO)
  return {
    debug: (message) => consola.debug(message),
    info: (message) => consola.info(message),
    warn: (message) => consola.warn(message),
    error: (message) => consola.error(message),
  }
}

function jsonLine(entry: LogObject): string {
  return JSON.stringify({ time: entry.date.toISOString(), level: entry.type, message: entry.args.join(' ') })
}
