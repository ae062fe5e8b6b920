import { isInputRequiredResult, isSpecType } from '@modelcontextprotocol/server'
import { ProxyError, ProxyErrorCode } from '../errors.ts'
import type { JsonObject } from '../upstream/link.ts'
import type { Upstream } from '../upstream/upstream.ts'

/**
 * An upstream's tools/call result, checked before the SDK's own validation sees it: that one
 * answers "-32602 Invalid tools/call result", blaming the client and naming no upstream.
 */
export function checkedToolResult(upstream: Upstream, result: JsonObject): JsonObject {
  if (isInputRequiredResult(result)) return result
  // A result without content is valid (the SDK fills in an empty list).
  if (isSpecType.CallToolResult({ content: [], ...result })) return result
  throw new ProxyError(`upstream '${upstream.id}' answered tools/call with an invalid result`, {
    code: ProxyErrorCode.UpstreamUnavailable,
    status: 502,
    upstream: upstream.id,
  })
}
