import { verifiedTokenOf } from '../plugins/context.ts'
import type { ProxMCPContext } from '../plugins/types.ts'

/** Identities remembered; the least recently seen goes first. */
const MAX_IDENTITIES = 10_000

/** What is kept of an identity's latest request: its context without the JSON-RPC body, and its verified JWT. */
interface Remembered {
  ctx: ProxMCPContext
  jwt: string | undefined
}

/**
 * The latest request of each identity: what a headers function is called with, and where a token
 * exchange finds the client's validated JWT. Connections are kept per identity, not per request,
 * so a credential worked out later (a refresh) uses the identity's latest request. Nothing is
 * kept until an upstream needs it.
 */
export class IdentityLedger {
  private readonly latest = new Map<string, Remembered>()
  private keeping = false

  /** An upstream works credentials out from requests (a headers function, token exchange). */
  keepRequests(): void {
    this.keeping = true
  }

  remember(ctx: ProxMCPContext): void {
    const { identity } = ctx
    if (!this.keeping || identity === undefined) return
    // The request's arguments (up to the body limit) are not kept for later.
    const { rpc, ...rest } = ctx
    const kept = { ...rest, ...(rpc && { rpc: { method: rpc.method } }) }
    this.latest.delete(identity)
    this.latest.set(identity, { ctx: kept, jwt: verifiedTokenOf(ctx) })
    if (this.latest.size > MAX_IDENTITIES) this.latest.delete(this.latest.keys().next().value as string)
  }

  contextOf(identity: string): ProxMCPContext | undefined {
    return this.latest.get(identity)?.ctx
  }

  /** The bearer JWT the auth plugin verified on this identity's latest request. */
  subjectTokenOf(identity: string): string | undefined {
    return this.latest.get(identity)?.jwt
  }
}
