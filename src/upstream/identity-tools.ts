import { BoundedMap } from '../bounded-map.ts'
import type { Credential } from '../credentials/credential.ts'
import type { Logger } from '../logger.ts'
import { describe } from './connection-policy.ts'
import type { JsonObject, UpstreamLink } from './link.ts'
import { listAll } from './list-all.ts'

/** How long an identity's tool list is trusted before it is read again. */
const TOOLS_TTL_MS = 30_000
/** After a failed read, how long until the next request may try again. */
const RETRY_AFTER_MS = 5_000
/** Identities whose lists are kept; the least recently read goes first. */
const MAX_IDENTITIES = 1_000

interface Listing {
  tools: JsonObject[]
  /** When the list stops being trusted. */
  staleAt: number
  reading?: Promise<void>
  /** The upstream said the tools changed while they were being read: what is read may be old. */
  changedWhileReading?: boolean
}

export interface IdentityToolsDeps {
  upstreamId: string
  logger: Logger
  /** Runs `use` on the identity's connection (see UpstreamIdentities.withConnection). */
  withConnection(
    credential: Credential,
    use: (link: UpstreamLink) => Promise<JsonObject[]>,
  ): Promise<JsonObject[]>
  /** An identity's list now differs from what its clients were shown. */
  onChange(identity: string): void
}

/**
 * For an upstream whose tools differ by user (`listsPerIdentity`): each identity's tool list, as
 * the upstream lists it on that identity's own connection, read again at most every 30 seconds
 * and at once after the upstream says its tools changed.
 */
export class IdentityTools {
  private readonly listings = new BoundedMap<string, Listing>(MAX_IDENTITIES)

  constructor(private readonly deps: IdentityToolsDeps) {}

  /** The tools last read for this identity; undefined before the first read. */
  toolsOf(identity: string): JsonObject[] | undefined {
    return this.listings.get(identity)?.tools
  }

  /** Reads the identity's list when it is stale (told through `onChange` when it changed). */
  refresh(credential: Credential): Promise<void> {
    const identity = credential.identity as string
    const listing = this.listings.get(identity)
    if (listing?.reading) return listing.reading
    if (listing && Date.now() < listing.staleAt) return Promise.resolve()
    const reading = this.read(credential, listing?.tools)
    this.listings.set(identity, { tools: listing?.tools ?? [], staleAt: 0, reading })
    return reading
  }

  /** The upstream's tools changed (or it reconnected): every list is read again when next needed. */
  forgetAll(): void {
    for (const identity of this.listings.keys()) this.forget(identity)
  }

  /** The upstream told this identity its tools changed. */
  forget(identity: string): void {
    const listing = this.listings.get(identity)
    if (!listing) return
    listing.staleAt = 0
    if (listing.reading) listing.changedWhileReading = true
  }

  private async read(credential: Credential, previous: JsonObject[] | undefined): Promise<void> {
    const identity = credential.identity as string
    const { upstreamId, logger } = this.deps
    let tools: JsonObject[]
    let staleAt: number
    try {
      tools = await this.deps.withConnection(credential, (link) =>
        listAll(link, 'tools/list', 'tools', (method, what) =>
          logger.warn(`upstream '${upstreamId}' ${method} for '${identity}': left out ${what}`),
        ),
      )
      staleAt = Date.now() + TOOLS_TTL_MS
    } catch (error) {
      logger.warn(
        `upstream '${upstreamId}': the tools of '${identity}' could not be listed: ${describe(error)}`,
      )
      // None of its tools is shown (never another credential's), and the read is tried again soon.
      tools = previous ?? []
      staleAt = Date.now() + RETRY_AFTER_MS
    }
    const changedMeanwhile = this.listings.get(identity)?.changedWhileReading === true
    this.listings.set(identity, { tools, staleAt: changedMeanwhile ? 0 : staleAt })
    if (previous === undefined || JSON.stringify(tools) !== JSON.stringify(previous))
      this.deps.onChange(identity)
  }
}
