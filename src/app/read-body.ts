/**
 * A request body as text, or undefined when it is over `maxBytes`: a declared length is checked
 * before anything is read, a streamed (chunked) body as it arrives, so an oversized one is never
 * held whole.
 */
export async function readBoundedText(request: Request, maxBytes: number): Promise<string | undefined> {
  const declared = request.headers.get('content-length')
  if (declared !== null && !request.headers.has('transfer-encoding')) {
    return Number(declared) > maxBytes ? undefined : request.text()
  }
  if (!request.body) return ''
  const reader = request.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > maxBytes) {
      void reader.cancel().catch(() => {})
      return undefined
    }
    chunks.push(value)
  }
  return new Blob(chunks as BlobPart[]).text()
}
