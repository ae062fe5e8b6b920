/** MCP logging levels (RFC 5424 severities), most verbose first. */
const LEVELS = ['debug', 'info', 'notice', 'warning', 'error', 'critical', 'alert', 'emergency']

const rank = (level: unknown): number => LEVELS.indexOf(String(level))

/** Whether a session at `threshold` wants a message at `level`; with no threshold, it takes what comes. */
export function admits(threshold: string | undefined, level: unknown): boolean {
  return threshold === undefined || rank(level) >= rank(threshold)
}

/** True when `level` lets through messages that `current` (if any) holds back. */
export function isMoreVerbose(level: string, current: string | undefined): boolean {
  return current === undefined || rank(level) < rank(current)
}
