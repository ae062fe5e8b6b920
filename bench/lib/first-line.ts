/** The first line a stream prints, within `timeoutMs`. */
export async function firstLine(stream: ReadableStream<Uint8Array>, timeoutMs: number): Promise<string> {
  const reader = stream.getReader()
  const decoder = new TextDecoder()
  let text = ''
  const timeout = Bun.sleep(timeoutMs).then(() => 'timeout' as const)
  try {
    for (let chunks = 0; chunks < 10_000; chunks++) {
      const read = await Promise.race([reader.read(), timeout])
      if (read === 'timeout') throw new Error(`no line within ${timeoutMs} ms`)
      if (read.done) break
      text += decoder.decode(read.value, { stream: true })
      const newline = text.indexOf('\n')
      if (newline !== -1) return text.slice(0, newline)
    }
  } finally {
    reader.releaseLock()
  }
  throw new Error(`the stream ended before a full line: ${text.slice(0, 200)}`)
}
