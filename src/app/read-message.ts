import * as v from 'valibot'
import { errorResponse, type ProxyError, proxyErrors } from '../errors.ts'
import { readBoundedText } from './read-body.ts'

const JsonRpcMessage = v.union([
  v.looseObject({
    jsonrpc: v.literal('2.0'),
    method: v.string(),
    id: v.optional(v.union([v.string(), v.number()])),
  }),
  v.looseObject({
    jsonrpc: v.literal('2.0'),
    id: v.union([v.string(), v.number(), v.null()]),
    result: v.unknown(),
  }),
  v.looseObject({
    jsonrpc: v.literal('2.0'),
    id: v.union([v.string(), v.number(), v.null()]),
    error: v.unknown(),
  }),
])
const JsonRpcBody = v.union([JsonRpcMessage, v.pipe(v.array(JsonRpcMessage), v.minLength(1))])

export type JsonRpcBody = v.InferOutput<typeof JsonRpcBody>
type Read = { body: JsonRpcBody } | { refusal: Response }

export interface ReadOptions {
  /** Streamable HTTP: the Accept header must allow both JSON and SSE. */
  streamable: boolean
  maxBytes: number
  /** Told of a body refused for its size. */
  onTooLarge: () => void
}

/**
 * Reads and checks an MCP POST body: JSON content type (415), valid JSON (-32700), JSON-RPC 2.0
 * messages (-32600), at most `maxBytes` (413). Streamable HTTP also needs an Accept that allows
 * both JSON and SSE (406).
 */
export async function readMessage(request: Request, options: ReadOptions): Promise<Read> {
  const contentType = request.headers.get('content-type') ?? ''
  if (!/^application\/json\s*(;|$)/i.test(contentType)) {
    return refuse(proxyErrors.unsupportedMediaType())
  }
  const accept = request.headers.get('accept') ?? ''
  if (options.streamable && (!accept.includes('application/json') || !accept.includes('text/event-stream'))) {
    return refuse(proxyErrors.notAcceptable())
  }
  let text: string | undefined
  try {
    text = await readBoundedText(request, options.maxBytes)
  } catch {
    return refuse(proxyErrors.notJson())
  }
  if (text === undefined) {
    options.onTooLarge()
    return refuse(proxyErrors.payloadTooLarge(options.maxBytes))
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    return refuse(proxyErrors.notJson())
  }
  const result = v.safeParse(JsonRpcBody, parsed)
  if (!result.success) return refuse(proxyErrors.notJsonRpc())
  return { body: result.output }
}

function refuse(error: ProxyError): { refusal: Response } {
  return { refusal: errorResponse(error) }
}
