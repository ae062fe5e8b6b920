import { type FetchLike, isJsonContentType } from '@modelcontextprotocol/client'

const NEWLINE = 10

/**
 * A fetch for the SDK's HTTP transport that accepts an `application/json` answer streamed as JSON
 * messages, one a line (how some 2026-07-28 servers send a call's notifications before its result,
 * or a subscription's stream): it is handed on as the event stream it stands for, read message by
 * message as it arrives. The SDK would parse the whole body as one value, and fail (or wait forever
 * on a subscription). Any other answer reaches the SDK as it came.
 */
export function jsonLinesFetch(base: FetchLike, onLines: () => void, applies: () => boolean): FetchLike {
  return async (url, init) => {
    if (!applies()) return base(url, init)
    const response = await base(url, init)
    const { headers } = response
    // A body of known length was written whole, the way servers send one message, and goes on
    // untouched: reading it here costs up to half again the SDK's own read (250 KB list, measured).
    // A stream of lines comes chunked.
    if (
      init?.method !== 'POST' ||
      !response.ok ||
      !response.body ||
      headers.has('content-length') ||
      !isJsonContentType(headers.get('content-type'))
    )
      return response
    const reader = response.body.getReader()
    const chunks: Uint8Array[] = []
    let checked = false
    for (;;) {
      const { done, value } = await reader.read()
      if (done) return new Response(new Blob(chunks as BlobPart[]), response)
      chunks.push(value)
      // The first line decides, once it is whole: a JSON value of its own means lines.
      if (checked || !value.includes(NEWLINE)) continue
      checked = true
      const decoder = new TextDecoder()
      const head = chunks.map((chunk) => decoder.decode(chunk, { stream: true })).join('')
      if (!isJsonValue(head.slice(0, head.indexOf('\n')))) continue
      const streamHeaders = new Headers(headers)
      streamHeaders.set('content-type', 'text/event-stream')
      return new Response(eventStream(head, reader, decoder, onLines), {
        status: response.status,
        headers: streamHeaders,
      })
    }
  }
}

function isJsonValue(text: string): boolean {
  try {
    JSON.parse(text)
    return true
  } catch {
    return false
  }
}

/** Each non-blank line as one `message` event; `onLines` once a second one shows it is a stream of lines. */
function eventStream(
  head: string,
  reader: ReadableStreamDefaultReader<Uint8Array>,
  decoder: TextDecoder,
  onLines: () => void,
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder()
  let buffered = head
  let events = 0
  const event = (line: string) => {
    if (++events === 2) onLines()
    return encoder.encode(`data: ${line}\n\n`)
  }
  return new ReadableStream({
    async pull(controller) {
      for (;;) {
        const end = buffered.indexOf('\n')
        if (end !== -1) {
          const line = buffered.slice(0, end).trim()
          buffered = buffered.slice(end + 1)
          if (line) return controller.enqueue(event(line))
          continue
        }
        const { done, value } = await reader.read()
        if (!done) {
          buffered += decoder.decode(value, { stream: true })
          continue
        }
        const rest = (buffered + decoder.decode()).trim()
        if (rest) controller.enqueue(event(rest))
        return controller.close()
      }
    },
    cancel: (reason) => reader.cancel(reason),
  })
}
