import type { RequestLogEntry } from './log-entry.ts'

/**
 * A request as one line for people:
 * `12:00:01.234 POST /mcp tools/call echo → alpha 200 12.3ms alice@127.0.0.1 session 1f0c…`.
 */
export function prettyLine(entry: RequestLogEntry): string {
  const who = [entry.identity, entry.client].filter(Boolean).join('@')
  return [
    entry.time.slice(11, 23),
    entry.http,
    entry.method,
    entry.name ?? entry.uri,
    entry.upstream && `→ ${entry.upstream}`,
    entry.status,
    `${entry.durationMs}ms`,
    who,
    entry.session && `session ${entry.session}`,
    entry.params !== undefined && `params ${JSON.stringify(entry.params)}`,
  ]
    .filter((part) => part !== undefined && part !== '' && part !== false)
    .join(' ')
}
