import { type ConsolaInstance, type ConsolaReporter, createConsola, LogLevels } from 'consola/core'

/** The badge of each kind of line, and its ANSI color where the stream is a terminal. */
const BADGES: Record<string, [badge: string, color: number]> = {
  fatal: ['✖', 31],
  error: ['✖', 31],
  fail: ['✖', 31],
  warn: ['⚠', 33],
  info: ['ℹ', 36],
  success: ['✔', 32],
  ready: ['✔', 32],
  start: ['◐', 35],
  debug: ['⚙', 90],
  trace: ['→', 90],
}

interface Stream {
  write(text: string): unknown
  isTTY?: boolean
}

/**
 * consola writing lines that are text already: its default reporters format each line with
 * node:util's inspect (about 100 ms to load, measured at start from source) and the clock with
 * toLocaleTimeString (about 20 ms at its first call), neither of which a string needs.
 */
export function createConsoleLines(level: number): ConsolaInstance {
  const streams = globalThis.process as { stdout?: Stream; stderr?: Stream } | undefined
  const env = processEnv()
  const colors = (stream: Stream | undefined) =>
    env.FORCE_COLOR ? env.FORCE_COLOR !== '0' : Boolean(stream?.isTTY) && !env.NO_COLOR
  const reporter: ConsolaReporter = {
    log(entry) {
      const stream = entry.level < LogLevels.info ? streams?.stderr : streams?.stdout
      const [badge, color] = BADGES[entry.type] ?? ['', 0]
      const text = entry.args.map(String).join(' ')
      const line = badge ? `${colors(stream) ? `\x1b[${color}m${badge}\x1b[0m` : badge} ${text}` : text
      if (stream) stream.write(`${line}\n`)
      else console.log(line)
    },
  }
  return createConsola({ level, reporters: [reporter] })
}

/** The level consola itself would pick: debug under DEBUG, warnings only under tests, else info. */
export function defaultConsoleLevel(): number {
  const env = processEnv()
  if (env.DEBUG && env.DEBUG !== 'false') return LogLevels.debug
  if (env.NODE_ENV === 'test' || (env.TEST && env.TEST !== 'false')) return LogLevels.warn
  return LogLevels.info
}

function processEnv(): Record<string, string | undefined> {
  return (globalThis.process as { env?: Record<string, string | undefined> } | undefined)?.env ?? {}
}
