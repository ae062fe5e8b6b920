import { bodyLimit } from 'hono/body-limit'
import { jsonRpcErrorResponse } from '../errors.ts'

/** Refuses bodies over the limit with 413, before any of it is parsed. */
export function limitBody(maxSize: number) {
  return bodyLimit({
    maxSize,
    onError: () => jsonRpcErrorResponse(413, -32000, `Payload Too Large: the limit is ${maxSize} bytes`),
  })
}
