import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { basename } from 'node:path'

/** The SHA-256 of a file as lowercase hex, read as a stream (executables are about 100 MB). */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(path)) hash.update(chunk)
  return hash.digest('hex')
}

/** A `SHA256SUMS` file for `paths`, as `sha256sum` writes it and `sha256sum -c` reads it. */
export async function formatChecksums(paths: string[]): Promise<string> {
  const lines = await Promise.all(paths.map(async (path) => `${await sha256File(path)}  ${basename(path)}`))
  return `${lines.sort((a, b) => a.slice(66).localeCompare(b.slice(66))).join('\n')}\n`
}

/** File name to hex digest, from a `SHA256SUMS` text (text or binary mode lines). */
export function parseChecksums(text: string): Map<string, string> {
  const sums = new Map<string, string>()
  for (const line of text.split('\n')) {
    const match = /^([0-9a-f]{64}) [ *](.+)$/.exec(line.trim())
    if (match) sums.set(match[2] as string, match[1] as string)
  }
  return sums
}
