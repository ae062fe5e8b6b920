import { existsSync, statSync } from 'node:fs'
import { appendFile, rename, rm } from 'node:fs/promises'

export interface AuditFileOptions {
  /** Rotate before a write would take the file past this size. */
  maxBytes?: number
  /** Rotated files kept: `audit.log.1` (newest) to `audit.log.<keep>`. */
  keep: number
}

/**
 * An audit file appended to in order, rotated by size: `path` becomes `path.1`, `path.1` becomes
 * `path.2`, and so on; the oldest beyond `keep` is deleted.
 */
export function auditFile(path: string, { maxBytes, keep }: AuditFileOptions) {
  let size = existsSync(path) ? statSync(path).size : 0
  const rotate = async () => {
    await rm(`${path}.${keep}`, { force: true })
    for (let index = keep - 1; index >= 1; index--) {
      if (existsSync(`${path}.${index}`)) await rename(`${path}.${index}`, `${path}.${index + 1}`)
    }
    if (keep > 0) await rename(path, `${path}.1`)
    else await rm(path, { force: true })
    size = 0
  }
  const append = async (text: string, bytes: number) => {
    await appendFile(path, text)
    size += bytes
  }
  return {
    /** Appends whole lines; where they would pass `maxBytes`, the file is rotated between two lines. */
    async write(text: string): Promise<void> {
      if (maxBytes === undefined) return append(text, Buffer.byteLength(text))
      let chunk = ''
      let chunkBytes = 0
      for (const line of text.split(/(?<=\n)/)) {
        const bytes = Buffer.byteLength(line)
        if (size + chunkBytes + bytes > maxBytes && size + chunkBytes > 0) {
          if (chunk) await append(chunk, chunkBytes)
          chunk = ''
          chunkBytes = 0
          await rotate()
        }
        chunk += line
        chunkBytes += bytes
      }
      if (chunk) await append(chunk, chunkBytes)
    },
  }
}
