import { ProtocolError, ProtocolErrorCode } from '@modelcontextprotocol/client'
import { proxyErrors } from '../errors.ts'

/** The upstream answered that it has no handler for the method: an optional feature it lacks. */
export function isMethodNotFound(error: unknown): boolean {
  return error instanceof ProtocolError && error.code === ProtocolErrorCode.MethodNotFound
}

/**
 * Rethrows a failure of an optional method; the upstream's bare Method not found becomes one that
 * says which of the merged upstreams lacks what, since the client sees only the proxy.
 */
export function namingMissingMethod(upstreamId: string, method: string): (error: unknown) => never {
  return (error) => {
    if (!isMethodNotFound(error)) throw error
    throw proxyErrors.missingMethod(upstreamId, method)
  }
}
