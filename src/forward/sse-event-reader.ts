/**
 * Reads Server-Sent Events text, fed in chunks cut anywhere, as the `data` of each event (several
 * `data:` lines joined by newlines). Events without data (comments, priming events) yield nothing.
 */
export class SseEventReader {
  private pending = ''
  private scanned = 0
  private data: string[] = []

  /** The data of every event that `text` completes, in order. */
  feed(text: string): string[] {
    this.pending += text
    const events: string[] = []
    let start = 0
    let newline = this.pending.indexOf('\n', this.scanned)
    while (newline !== -1) {
      const end = this.pending.charCodeAt(newline - 1) === 13 ? newline - 1 : newline
      this.line(this.pending.slice(start, end), events)
      start = newline + 1
      newline = this.pending.indexOf('\n', start)
    }
    this.pending = this.pending.slice(start)
    // A long line spans chunks: the next search starts where this one ended.
    this.scanned = this.pending.length
    return events
  }

  private line(line: string, events: string[]): void {
    if (line === '') {
      const data = this.data.join('\n')
      // An event whose data is empty is not dispatched (the SSE spec), as a priming event's.
      if (data !== '') events.push(data)
      this.data = []
    } else if (line.startsWith('data:')) {
      this.data.push(line.slice(line.charCodeAt(5) === 32 ? 6 : 5))
    }
  }
}
