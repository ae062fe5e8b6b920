import { ProtocolError, ProtocolErrorCode } from '@modelcontextprotocol/server'

/** JSON-RPC error codes the proxy itself answers with (beyond the spec's standard ones). */
export const ProxyErrorCode = {
  /** The upstream that owns the request is down or failed while serving it. */
  UpstreamUnavailable: -32010,
  /** The upstream did not answer within the configured timeout. */
  UpstreamTimeout: -32011,
} as const

/**
 * The one error type the proxy raises: a message a person understands, the upstream it concerns,
 * the HTTP status for HTTP-level answers and the JSON-RPC code for protocol-level answers.
 */
export class ProxyError extends ProtocolError {
  constructor(
    message: string,
    readonly options: { code?: number; status?: number; upstream?: string; data?: unknown } = {},
  ) {
    super(
      options.code ?? ProtocolErrorCode.InternalError,
      message,
      options.data ?? withUpstream(options.upstream),
    )
  }

  get status(): number {
    return this.options.status ?? 500
  }
}

function withUpstream(upstream: string | undefined): { upstream: string } | undefined {
  return upstream === undefined ? undefined : { upstream }
}

/** Renders a JSON-RPC error body; `id` is null where the request could not be read. */
export function jsonRpcErrorBody(code: number, message: string, id: unknown = null): string {
  return JSON.stringify({ jsonrpc: '2.0', id, error: { code, message } })
}

/** An HTTP answer carrying a JSON-RPC error, the shape MCP clients expect for transport-level refusals. */
export function jsonRpcErrorResponse(status: number, code: number, message: string, id?: unknown): Response {
  return new Response(jsonRpcErrorBody(code, message, id), {
    status,
    headers: { 'content-type': 'application/json' },
  })
}
