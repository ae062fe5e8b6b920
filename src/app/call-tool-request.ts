import { unwrapCallTool } from '../aggregate/tool-search.ts'
import type { JsonRpcBody } from './read-message.ts'

/**
 * With tool search on, a `call_tool` request becomes the tools/call it stands for before anything
 * else sees it. A 2026-07-28 request's `Mcp-Name` header is changed to match, since the SDK
 * checks it against the body. Undefined for any other request.
 */
export function unwrapCallToolRequest(
  request: Request,
  body: JsonRpcBody,
): { request: Request; body: JsonRpcBody } | undefined {
  const unwrapped = unwrapCallTool(body)
  if (unwrapped === body) return undefined
  if (Array.isArray(unwrapped) || !request.headers.has('mcp-name'))
    return { request, body: unwrapped as JsonRpcBody }
  const { name } = (unwrapped as { params: { name: string } }).params
  const headers = new Headers(request.headers)
  headers.set('mcp-name', name)
  // The body is read already: what follows takes the parsed one.
  return {
    request: new Request(request.url, { method: request.method, headers, signal: request.signal }),
    body: unwrapped as JsonRpcBody,
  }
}
