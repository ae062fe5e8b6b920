import { errorResponse, proxyErrors } from '../errors.ts'
import { mcpParamMismatch } from '../upstream/mcp-param-headers.ts'

interface ToolCall {
  method?: unknown
  id?: unknown
  params?: { name?: unknown; arguments?: unknown }
}

/**
 * The 400 for a 2026-07-28 `tools/call` whose `Mcp-Param-*` headers disagree with its arguments.
 * The SDK checks this only for an `McpServer`'s own tools; the proxy's tools are its upstreams'.
 */
export function refuseParamHeaderMismatch(
  request: Request,
  body: unknown,
  inputSchemaOf: (toolName: string) => unknown,
): Response | undefined {
  const call = body as ToolCall | undefined
  if (Array.isArray(body) || call?.method !== 'tools/call' || typeof call.params?.name !== 'string')
    return undefined
  const mismatch = mcpParamMismatch(inputSchemaOf(call.params.name), call.params.arguments, request.headers)
  if (mismatch === undefined) return undefined
  return errorResponse(proxyErrors.headerMismatch(mismatch), call.id ?? null)
}
