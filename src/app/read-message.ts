import * as v from 'valibot'
import { jsonRpcErrorResponse } from '../errors.ts'

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

/**
 * Reads and checks an MCP POST body: JSON content type (415), valid JSON (-32700), JSON-RPC 2.0
 * messages (-32600). Streamable HTTP also needs an Accept that allows both JSON and SSE (406).
 */
export async function readMessage(request: Request, options: { streamable: boolean }): Promise<Read> {
  const contentType = request.headers.get('content-type') ?? ''
  if (!/^application\/json\s*(;|$)/i.test(contentType)) {
    return refuse(415, -32000, 'Unsupported Media Type: Content-Type must be application/json')
  }
  const accept = request.headers.get('accept') ?? ''
  if (options.streamable && (!accept.includes('application/json') || !accept.includes('text/event-stream'))) {
    return refuse(406, -32000, 'Not Acceptable: Accept must list both application/json and text/event-stream')
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(await request.text())
  } catch {
    return refuse(400, -32700, 'Parse error: the body is not valid JSON')
  }
  const result = v.safeParse(JsonRpcBody, parsed)
  if (!result.success) return refuse(400, -32600, 'Invalid Request: the body is not a JSON-RPC 2.0 message')
  return { body: result.output }
}

function refuse(status: number, code: number, message: string): { refusal: Response } {
  return { refusal: jsonRpcErrorResponse(status, code, message) }
}
