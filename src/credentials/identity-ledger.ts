import { verifiedTokenOf } from '../plugins/context.ts'
import type { ProxMCPContext } from '../plugins/types.ts'

/** Identities remembered; the least recently seen goes first. */
const MAX_IDENTITIES = 10_000

/**
 * The latest request of each identity: what a headers function is called with, and where a token
 * exchange finds the client's validated JWT. Connections are kept per identity, not per request,
 * so a credential worked out later (a refresh) uses the identity's latest request.
 */
export class IdentityLedger {
  private readonly latest = new Map<string, ProxMCPContext>()

  remember(ctx: ProxMCPContext): void {
    const { identity } = ctx
    if (identity === undefined) return
    this.latest.delete(identity)
    this.latest.set(identity, ctx)
    if (this.latest.size > MAX_IDENTITIES) this.latest.delete(this.latest.keys().next().value as string)
  }

  contextOf(identity: string): ProxMCPContext | undefined {
    return this.latest.get(identity)
  }

  /** The bearer JWT the auth plugin verified on this identity's latest request. */
  subjectTokenOf(identity: string): string | undefined {
    const ctx = this.latest.get(identity)
    return ctx && verifiedTokenOf(ctx)
  }
}
