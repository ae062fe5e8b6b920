/** The logging surface the core needs; the CLI backs it with consola, tests with a recorder. */
export interface Logger {
  debug(message: string): void
  info(message: string): void
  warn(message: string): void
  error(message: string): void
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} }
