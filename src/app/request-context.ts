import type { Context } from 'hono'
import { createContext } from '../plugins/context.ts'
import type { ProxMCPContext } from '../plugins/types.ts'
import type { AppEnv } from './types.ts'

/** The plugin context of the request Hono is serving, from what Hono has already parsed. */
export function contextFor(
  c: Context<AppEnv>,
  extra: { body?: unknown; sessionId?: string; server?: string } = {},
): ProxMCPContext {
  return createContext({
    request: c.req.raw,
    path: c.req.path,
    clientAddress: c.env?.clientAddress,
    ...extra,
  })
}
