import {
  type ClientCapabilities,
  type PriorDiscovery,
  ProtocolError,
  SdkHttpError,
} from '@modelcontextprotocol/client'
import type { UpstreamConfig } from '../config/resolve.ts'
import { ProxyError, refusesCredential } from '../errors.ts'

/**
 * What the shared connection tells an upstream it may ask. Over HTTP nothing: a 2026-07-28 call
 * whose client can answer gets an upstream session of its own (the question is then surely its),
 * and a 2026-07-28 upstream learns the client's own capabilities from each request's envelope.
 * A stdio upstream shares one process, so it may ask, and the question goes to the call in flight.
 */
export function sharedLinkCapabilities(transport: UpstreamConfig['transport']): ClientCapabilities {
  return transport === 'stdio' ? { sampling: {}, elicitation: { form: {}, url: {} } } : {}
}

/**
 * Some stdio servers exit on any request before `initialize`, so the era probe kills them:
 * while the era is unknown, every other retry of a stdio upstream goes straight to `initialize`.
 */
export function eraGuessForRetry(upstream: UpstreamConfig, attempt: number): PriorDiscovery | undefined {
  const alternate = upstream.transport === 'stdio' && upstream.era === 'auto' && attempt % 2 === 1
  return alternate ? { kind: 'legacy' } : undefined
}

/** The upstream answered `initialize` with a refusal (a modern-only server), rather than failing to answer. */
export function refusesLegacy(error: unknown): boolean {
  // The proxy's own errors (no token could be had) say nothing of the upstream's eras.
  if (error instanceof ProxyError) return false
  if (error instanceof ProtocolError) return true
  const status = (error as { data?: { status?: unknown } }).data?.status
  // 401 and 403 refuse the credential (one identity's), not the era.
  return (
    error instanceof SdkHttpError &&
    typeof status === 'number' &&
    status >= 400 &&
    status < 500 &&
    !refusesCredential(status)
  )
}

export function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
