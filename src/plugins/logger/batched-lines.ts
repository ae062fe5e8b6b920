export interface BatchedLines {
  push(line: string): void
  /** Writes what is held now (the proxy stops). */
  flush(): void
}

/**
 * Holds lines until the event loop turns, then writes them in one call: under load, a request
 * log line per request would otherwise cost a write (a system call) per request.
 */
export function batchedLines(write: (text: string) => void): BatchedLines {
  let held: string[] = []
  let timer: ReturnType<typeof setTimeout> | undefined
  const flush = () => {
    clearTimeout(timer)
    timer = undefined
    if (held.length === 0) return
    const text = held.join('\n')
    held = []
    write(text)
  }
  return {
    push(line) {
      held.push(line)
      timer ??= setTimeout(flush, 0)
    },
    flush,
  }
}
