const LF = 10

/**
 * Reads Server-Sent Events text, fed in chunks cut anywhere, as the `data` of each event (several
 * `data:` lines joined by newlines). Events without data (comments, priming events) yield nothing.
 * A line ends with LF, CRLF or a bare CR (the SSE spec).
 */
export class SseEventReader {
  private pending = ''
  private scanned = 0
  /** The last chunk ended with CR: an LF opening the next one belongs to that line end. */
  private afterCR = false
  private data: string[] = []

  /** The data of every event that `text` completes, in order. */
  feed(text: string): string[] {
    if (text === '') return []
    this.pending += this.afterCR && text.charCodeAt(0) === LF ? text.slice(1) : text
    this.afterCR = false
    const { pending } = this
    const events: string[] = []
    let start = 0
    // The next LF and CR, each looked for again only once passed: one scan of the text in all.
    let lf = pending.indexOf('\n', this.scanned)
    let cr = pending.indexOf('\r', this.scanned)
    while (lf !== -1 || cr !== -1) {
      const end = cr === -1 || (lf !== -1 && lf < cr) ? lf : cr
      this.line(pending.slice(start, end), events)
      const crlf = end === cr && lf === cr + 1
      start = end + (crlf ? 2 : 1)
      // A bare CR ending the text may be the first half of a CRLF cut between chunks.
      if (end === cr && !crlf && start === pending.length) this.afterCR = true
      if (lf !== -1 && lf < start) lf = pending.indexOf('\n', start)
      if (cr !== -1 && cr < start) cr = pending.indexOf('\r', start)
    }
    this.pending = pending.slice(start)
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
    } else if (line === 'data') {
      // A field name without a colon has an empty value.
      this.data.push('')
    }
  }
}
