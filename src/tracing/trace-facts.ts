import { createTraceState, type SpanContext } from '@opentelemetry/api'
import type { ProxMCPContext } from '../plugins/types.ts'

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/
const ALL_ZEROS = /^0+$/

/** A client's span, as its W3C `traceparent` and `tracestate` name it. */
export interface IncomingSpan {
  traceId: string
  spanId: string
  traceFlags: number
  tracestate?: string
}

/** The client's span: a `traceparent` header, else one in the JSON-RPC `params._meta`. */
export function incomingSpan(request: Request, ctx: ProxMCPContext): IncomingSpan | undefined {
  const meta = ctx.rpc?.params?._meta as { traceparent?: unknown; tracestate?: unknown } | undefined
  const fromHeader = request.headers.get('traceparent')
  const header = fromHeader ?? (typeof meta?.traceparent === 'string' ? meta.traceparent : undefined)
  const match = header ? TRACEPARENT.exec(header.trim().toLowerCase()) : null
  if (!match) return undefined
  const [, traceId, spanId, flags] = match as unknown as [string, string, string, string]
  if (ALL_ZEROS.test(traceId) || ALL_ZEROS.test(spanId)) return undefined
  const tracestate = fromHeader
    ? request.headers.get('tracestate')
    : typeof meta?.tracestate === 'string'
      ? meta.tracestate
      : null
  return { traceId, spanId, traceFlags: Number.parseInt(flags, 16), ...(tracestate && { tracestate }) }
}

/** `tools/call <name>`, `resources/read <uri>`, or the HTTP request for what is not JSON-RPC. */
export function requestSpanName(ctx: ProxMCPContext): string {
  const method = ctx.rpc?.method
  if (!method) return `${ctx.http.method} ${ctx.http.path}`
  const params = ctx.rpc?.params
  const target = params?.name ?? params?.uri
  return typeof target === 'string' ? `${method} ${target}` : method
}

/**
 * The server span's attributes, after the semantic conventions for MCP (`mcp.method.name`,
 * `mcp.session.id`, `mcp.resource.uri`), GenAI (`gen_ai.tool.name`, `gen_ai.prompt.name`,
 * `gen_ai.operation.name`), JSON-RPC (`jsonrpc.request.id`) and HTTP.
 */
export function requestAttributes(ctx: ProxMCPContext, request: Request): Record<string, string | number> {
  const { rpc } = ctx
  const params = rpc?.params
  const attributes: Record<string, string | number> = {
    'http.request.method': ctx.http.method,
    'url.path': ctx.http.path,
    'proxmcp.era':
      request.headers.has('mcp-session-id') || rpc?.method === 'initialize' ? '2025' : '2026-07-28',
  }
  if (rpc?.method) attributes['mcp.method.name'] = rpc.method
  if (rpc?.id !== undefined) attributes['jsonrpc.request.id'] = String(rpc.id)
  if (ctx.sessionId) attributes['mcp.session.id'] = ctx.sessionId
  if (ctx.clientAddress) attributes['client.address'] = ctx.clientAddress
  if (rpc?.method === 'tools/call' && typeof params?.name === 'string') {
    attributes['gen_ai.tool.name'] = params.name
    attributes['gen_ai.operation.name'] = 'execute_tool'
  }
  if (rpc?.method === 'prompts/get' && typeof params?.name === 'string')
    attributes['gen_ai.prompt.name'] = params.name
  if (typeof params?.uri === 'string') attributes['mcp.resource.uri'] = params.uri
  return attributes
}

/** What the server span learns by its end (added to `attributes` when given): the status, who called, which upstream served. */
export function endAttributes(
  ctx: ProxMCPContext,
  status: number,
  attributes: Record<string, unknown> = {},
): Record<string, string | number> {
  attributes['http.response.status_code'] = status
  if (ctx.identity) attributes['enduser.id'] = ctx.identity
  if (ctx.upstream) attributes['proxmcp.upstream.id'] = ctx.upstream
  return attributes as Record<string, string | number>
}

/** The client span of one upstream request. */
export function callAttributes(upstream: { id: string; transport: string }, method: string) {
  return {
    'mcp.method.name': method,
    'proxmcp.upstream.id': upstream.id,
    'proxmcp.upstream.transport': upstream.transport,
  }
}

/** How a call ended (added to `attributes` when given), with the JSON-RPC code of its error (`rpc.response.status_code`, `error.type`). */
export function outcomeAttributes(
  outcome: string,
  error: unknown,
  attributes: Record<string, unknown> = {},
): Record<string, string> {
  attributes['proxmcp.outcome'] = outcome
  const code = (error as { code?: unknown } | undefined)?.code
  if (typeof code === 'number') attributes['rpc.response.status_code'] = String(code)
  if (outcome === 'error') attributes['error.type'] = typeof code === 'number' ? String(code) : 'error'
  return attributes as Record<string, string>
}

/** The client's span as the remote parent of the request's server span. */
export function parentOf(incoming: IncomingSpan): SpanContext {
  return {
    traceId: incoming.traceId,
    spanId: incoming.spanId,
    traceFlags: incoming.traceFlags,
    isRemote: true,
    ...(incoming.tracestate && { traceState: createTraceState(incoming.tracestate) }),
  }
}
