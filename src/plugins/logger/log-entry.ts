import type { ProxMCPContext } from '../types.ts'
import { redact } from './redact.ts'

/** One request as the logger writes it. Absent fields are left out of JSON lines. */
export interface RequestLogEntry {
  /** When the response started, ISO 8601. */
  time: string
  requestId: string
  /** HTTP method and path: `POST /mcp`. */
  http: string
  status: number
  /** Until the response started: for a streamed (SSE) answer, its first byte, not its end. */
  durationMs: number
  session?: string
  /** The virtual server addressed (`/mcp/<name>`). */
  server?: string
  client?: string
  identity?: string
  /** The JSON-RPC method (`tools/call`); for a batch, its first message's. */
  method?: string
  /** The tool or prompt called (`params.name`). */
  name?: string
  /** The resource read (`params.uri`). */
  uri?: string
  upstream?: string
  /** The W3C trace id, when tracing is on. */
  traceId?: string
  /** The JSON-RPC params, secrets redacted; only with `bodies: true`. */
  params?: unknown
}

export function logEntry(
  ctx: ProxMCPContext,
  status: number,
  durationMs: number,
  bodies: boolean,
): RequestLogEntry {
  const params = ctx.rpc?.params
  return {
    time: new Date().toISOString(),
    requestId: ctx.requestId,
    http: `${ctx.http.method} ${ctx.http.path}`,
    status,
    durationMs: Math.round(durationMs * 10) / 10,
    session: ctx.sessionId,
    server: ctx.server,
    client: ctx.clientAddress,
    identity: ctx.identity,
    method: ctx.rpc?.method,
    name: stringOrUndefined(params?.name),
    uri: stringOrUndefined(params?.uri),
    upstream: ctx.upstream,
    traceId: ctx.traceId,
    ...(bodies && params !== undefined && { params: redact(params) }),
  }
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined
}
