import type { ServerContext } from '@modelcontextprotocol/server'
import { clientGoneSignal } from '../plugins/context.ts'

/** Aborts when the client cancels the request (notifications/cancelled) or goes away mid-call. */
export function callSignal(ctx: ServerContext): AbortSignal {
  const gone = clientGoneSignal(ctx)
  return gone ? AbortSignal.any([ctx.mcpReq.signal, gone]) : ctx.mcpReq.signal
}
