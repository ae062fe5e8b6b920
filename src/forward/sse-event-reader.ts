const LF = 10
/** A line ends with CRLF, LF or a bare CR (the SSE spec). */
const LINE_END = /\r\n?|\n/g

/**
 * Reads Server-Sent Events text, fed in chunks cut anywhere, as the `data` of each event (several
 * `data:` lines joined by newlines). Events without data (comments, priming events) yield nothing.
 */
export class SseEventReader {
  private pending = ''
  private scanned = 0
  /** The last chunk ended with CR: an LF opening the next one belongs to that line end. */
  private afterCR = false
  private data: string[] = []

  /** The data of every event that `text` completes, in order. */
  feed(text: string): string[] {
    this.pending += this.afterCR && text.charCodeAt(0) === LF ? text.slice(1) : text
    this.afterCR = false
    const events: string[] = []
    let start = 0
    LINE_END.lastIndex = this.scanned
    for (let end = LINE_END.exec(this.pending); end; end = LINE_END.exec(this.pending)) {
      this.line(this.pending.slice(start, end.index), events)
      start = LINE_END.lastIndex
      if (end[0] === '\r' && start === this.pending.length) this.afterCR = true
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
