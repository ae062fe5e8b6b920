import type { Context } from 'hono'
import type { AppEnv } from './types.ts'

type Pass = (clientAddress: string | undefined) => Promise<Response | undefined> | undefined

/**
 * In cluster mode, another replica's answer to the request (plugins run there, once); undefined,
 * with no await on the way, when this replica serves it, as it does every request passed on to it.
 */
export function passOn(c: Context<AppEnv>, pass: Pass): Promise<Response | undefined> | undefined {
  return c.env?.passedOn ? undefined : pass(c.env?.clientAddress)
}
