export type { RequestLogEntry } from './log-entry.ts'
export { type LoggerOptions, loggerPlugin } from './logger-plugin.ts'
