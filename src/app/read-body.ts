import { readBoundedBytes } from '../bounded-body.ts'

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
  const bytes = await readBoundedBytes(request.body, maxBytes)
  return bytes && new TextDecoder().decode(bytes)
}
