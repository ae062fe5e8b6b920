/**
 * Calls `onLine` for every line of a byte stream (without its line ending), in order, until the
 * stream ends; a line handler that returns a promise holds the next line back until it settles.
 */
export async function readLines(
  stream: ReadableStream<Uint8Array>,
  onLine: (line: string) => void | Promise<void>,
): Promise<void> {
  const reader = stream
    .pipeThrough(new TextDecoderStream() as unknown as TransformStream<Uint8Array, string>)
    .getReader()
  let pending = ''
  try {
    for (;;) {
      const { value, done } = await reader.read()
      if (done) break
      pending += value
      let newline = pending.indexOf('\n')
      while (newline !== -1) {
        await onLine(pending.slice(0, newline).replace(/\r$/, ''))
        pending = pending.slice(newline + 1)
        newline = pending.indexOf('\n')
      }
    }
    if (pending) await onLine(pending)
  } finally {
    reader.releaseLock()
  }
}
