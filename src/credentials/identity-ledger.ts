import { BoundedMap } from '../bounded-map.ts'
import { verifiedTokenOf } from '../plugins/context.ts'
import type { ProxMCPContext } from '../plugins/types.ts'

/** Identities remembered; the least recently seen goes first. */
const MAX_IDENTITIES = 10_000

/**
 * The bearer JWT each identity sent last, verified by the auth plugin: what a token exchange
 * trades, whenever the identity's upstream token is due (connections are kept per identity, so a
 * renewal uses the identity's latest JWT). Nothing is kept unless an upstream exchanges tokens.
 */
export class IdentityLedger {
  private readonly latest = new BoundedMap<string, string>(MAX_IDENTITIES)
  private keeping = false

  /** An upstream exchanges its clients' tokens. */
  keepTokens(): void {
    this.keeping = true
  }

  remember(ctx: ProxMCPContext): void {
    const jwt = this.keeping && ctx.identity !== undefined ? verifiedTokenOf(ctx) : undefined
    if (jwt === undefined) return
    this.latest.set(ctx.identity as string, jwt)
  }

  subjectTokenOf(identity: string): string | undefined {
    return this.latest.get(identity)
  }
}
