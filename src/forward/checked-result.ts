import { isInputRequiredResult, isSpecType } from '@modelcontextprotocol/server'
import { proxyErrors } from '../errors.ts'
import type { JsonObject } from '../upstream/link.ts'
import type { Upstream } from '../upstream/upstream.ts'

/**
 * An upstream's tools/call result, checked before the SDK's own validation sees it: that one
 * answers "-32602 Invalid tools/call result", blaming the client and naming no upstream.
 */
export function checkedToolResult(upstream: Upstream, result: JsonObject): JsonObject {
  if (isValidToolResult(result)) return result
  throw proxyErrors.invalidToolResult(upstream.id)
}

function isValidToolResult(result: unknown): boolean {
  if (typeof result !== 'object' || result === null) return false
  // A result without content is valid (the SDK fills in an empty list).
  return isInputRequiredResult(result) || isSpecType.CallToolResult({ content: [], ...result })
}

/**
 * What makes an answer a tools/call result at all, for answers relayed as they are: the content
 * blocks are left to the client's own validation, as over a direct connection.
 */
export function isToolResultShaped(result: unknown): boolean {
  if (typeof result !== 'object' || result === null || Array.isArray(result)) return false
  const { content, isError, structuredContent } = result as Record<string, unknown>
  return (
    (content === undefined || Array.isArray(content)) &&
    (isError === undefined || typeof isError === 'boolean') &&
    (structuredContent === undefined || (typeof structuredContent === 'object' && structuredContent !== null))
  )
}
