import { BoundedMap } from '../bounded-map.ts'
import type { IssuedToken } from './token-request.ts'

/** Tokens kept; the least recently used goes first. */
const MAX_TOKENS = 10_000
/** A token is renewed this long before it expires, or at a fifth of its lifetime left when that is shorter. */
const RENEW_AHEAD_MS = 60_000

type Entry = { token: IssuedToken } | { pending: Promise<IssuedToken> }

/**
 * Access tokens by key (an identity, or the service), each renewed shortly before it expires.
 * Concurrent requests for a key being renewed wait for the one token request.
 */
export class TokenCache {
  private readonly entries = new BoundedMap<string, Entry>(MAX_TOKENS)

  async get(key: string, issue: () => Promise<IssuedToken>): Promise<string> {
    const entry = this.entries.get(key)
    if (entry && 'token' in entry && isFresh(entry.token)) return entry.token.accessToken
    if (entry && 'pending' in entry) return (await entry.pending).accessToken
    const slot = { pending: issue() }
    this.entries.set(key, slot)
    try {
      const token = await slot.pending
      if (this.entries.get(key) === slot) this.entries.set(key, { token })
      return token.accessToken
    } catch (error) {
      if (this.entries.get(key) === slot) this.entries.delete(key)
      throw error
    }
  }

  /** The upstream refused this key's token: the next request gets a new one. */
  drop(key: string): void {
    this.entries.delete(key)
  }
}

function isFresh(token: IssuedToken): boolean {
  const ahead = Math.min(RENEW_AHEAD_MS, token.lifetimeMs / 5)
  return Date.now() < token.expiresAt - ahead
}
