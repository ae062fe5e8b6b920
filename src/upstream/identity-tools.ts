import type { Credential } from '../credentials/credential.ts'
import type { Logger } from '../logger.ts'
import { describe } from './connection-policy.ts'
import type { JsonObject, UpstreamLink } from './link.ts'
import { listAll } from './list-all.ts'

/** How long an identity's tool list is trusted before it is read again. */
const TOOLS_TTL_MS = 30_000
/** Identities whose lists are kept; the least recently read goes first. */
const MAX_IDENTITIES = 1_000

interface Listing {
  tools: JsonObject[]
  readAt: number
  reading?: Promise<boolean>
}

export interface IdentityToolsDeps {
  upstreamId: string
  logger: Logger
  connectionFor(credential: Credential): Promise<UpstreamLink> | undefined
}

/**
 * For an upstream whose tools differ by user (`listsPerIdentity`): each identity's tool list, as
 * the upstream lists it on that identity's own connection, read again at most every 30 seconds
 * and at once after the upstream says its tools changed.
 */
export class IdentityTools {
  private readonly listings = new Map<string, Listing>()

  constructor(private readonly deps: IdentityToolsDeps) {}

  /** The tools last read for this identity; undefined before the first read succeeded. */
  toolsOf(identity: string): JsonObject[] | undefined {
    return this.listings.get(identity)?.tools
  }

  /** Reads the identity's list when it is stale; true when what it lists changed. */
  refresh(credential: Credential): Promise<boolean> {
    const listing = this.listings.get(credential.key)
    if (listing?.reading) return listing.reading
    if (listing && Date.now() - listing.readAt < TOOLS_TTL_MS) return Promise.resolve(false)
    const reading = this.read(credential, listing)
    this.listings.set(credential.key, { tools: listing?.tools ?? [], readAt: listing?.readAt ?? 0, reading })
    return reading
  }

  /** The upstream's tools changed (or it reconnected): every list is read again when next needed. */
  forgetAll(): void {
    for (const listing of this.listings.values()) listing.readAt = 0
  }

  /** The upstream told this identity its tools changed. */
  forget(identity: string): void {
    const listing = this.listings.get(identity)
    if (listing) listing.readAt = 0
  }

  private async read(credential: Credential, previous: Listing | undefined): Promise<boolean> {
    const { key } = credential
    try {
      const link = await this.deps.connectionFor(credential)
      if (!link) throw new Error('the upstream is not connected')
      const tools = await listAll(link, 'tools/list', 'tools', (method, what) =>
        this.deps.logger.warn(`upstream '${this.deps.upstreamId}' ${method} for '${key}': left out ${what}`),
      )
      this.store(key, { tools, readAt: Date.now() })
      return JSON.stringify(tools) !== JSON.stringify(previous?.tools)
    } catch (error) {
      this.deps.logger.warn(
        `upstream '${this.deps.upstreamId}': the tools of '${key}' could not be listed: ${describe(error)}`,
      )
      // What it listed before is kept; the next request tries again.
      this.store(key, { tools: previous?.tools ?? [], readAt: 0 })
      return false
    }
  }

  private store(key: string, listing: Listing): void {
    this.listings.delete(key)
    this.listings.set(key, listing)
    if (this.listings.size > MAX_IDENTITIES) this.listings.delete(this.listings.keys().next().value as string)
  }
}
