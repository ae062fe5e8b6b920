/**
 * What one upstream connection authenticates with. Connections are keyed by `key`: a connection
 * opened for one key never carries another's requests.
 */
export interface Credential {
  /** {@link SERVICE_KEY} for the upstream's own credential, otherwise one per identity (see {@link identityKey}). */
  readonly key: string
  /** The identity it acts for; undefined for the service credential. */
  readonly identity?: string
  /** Headers that never change: sent as they are. */
  readonly fixedHeaders?: Record<string, string>
  /** Headers worked out for each upstream HTTP request (a token that is fetched, cached, refreshed). */
  headers?(): Promise<Record<string, string>>
  /** The upstream answered 401: drop what it refused; true when a retry with fresh headers may succeed. */
  unauthorized?(response: Response): Promise<boolean>
  /** The environment of a stdio process started for this identity, over the upstream's own. */
  readonly env?: Record<string, string>
}

/** The key of an upstream's service credential: its catalog connection, and every call where identities share it. */
export const SERVICE_KEY = 'service'

/** An identity's key, which no identity (not even '' or 'service') shares with the service. */
export function identityKey(identity: string): string {
  return `identity:${identity}`
}
