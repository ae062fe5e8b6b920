import type { FetchLike } from '@modelcontextprotocol/client'
import type { IdentityLedger } from '../credentials/identity-ledger.ts'
import type { Logger } from '../logger.ts'
import type { SpawnFn } from '../runtime/types.ts'

/** What an upstream needs from the runtime it runs on. */
export interface UpstreamDeps {
  spawn?: SpawnFn
  fetch?: FetchLike
  logger: Logger
  /** Each identity's latest request, for credentials worked out per identity. */
  identities?: IdentityLedger
  /** Connections must not outlive a request (Cloudflare Workers). */
  perRequest?: boolean
}
