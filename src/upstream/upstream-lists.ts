import type { ServerCapabilities } from '@modelcontextprotocol/client'
import type { Logger } from '../logger.ts'
import { backoffDelay } from './backoff.ts'
import { describe } from './connection-policy.ts'
import type { UpstreamLink } from './link.ts'
import {
  ALL_KINDS,
  type CatalogKind,
  emptyCatalog,
  LISTS,
  listAll,
  type UpstreamCatalog,
} from './list-all.ts'
import { isMethodNotFound } from './method-not-found.ts'

type Outcome = 'listed' | 'missing' | 'failed'

export interface UpstreamListsDeps {
  upstreamId: string
  logger: Logger
  /** The connection to read on when a retry is due, while there is one. */
  link: () => UpstreamLink | undefined
  /** A retry read a list again. */
  onRetried: (kind: CatalogKind) => void
  /** False where no timer may outlive a request (Workers): a failed list waits for the next read. */
  retries: boolean
}

/**
 * The lists one upstream offers, each read on its own, so that one list the server gets wrong
 * never hides the others. A list it does not implement (Method not found) stays empty until it
 * reports a change or reconnects; a list that fails otherwise keeps what it last listed and is
 * read again with backoff.
 */
export class UpstreamLists {
  catalog: UpstreamCatalog = emptyCatalog()
  /** What the upstream listed before it went down, to tell clients why a name is missing. */
  lastKnown: UpstreamCatalog = emptyCatalog()
  private capabilities: ServerCapabilities = {}
  private readonly failures = new Map<
    CatalogKind,
    { attempt: number; timer?: ReturnType<typeof setTimeout> }
  >()

  constructor(private readonly deps: UpstreamListsDeps) {}

  /** Reads every list after a (re)connect; what the last connection listed is forgotten. */
  async readAll(link: UpstreamLink, capabilities: ServerCapabilities): Promise<void> {
    this.cancelRetries()
    this.capabilities = capabilities
    this.catalog = emptyCatalog()
    await this.read(link, ALL_KINDS)
  }

  /** Reads the given lists again, each on its own; true when any of them was read (not failed). */
  async read(link: UpstreamLink, kinds: CatalogKind[]): Promise<boolean> {
    const outcomes = await Promise.all(kinds.map((kind) => this.readOne(link, kind)))
    const missing = kinds
      .filter((_, index) => outcomes[index] === 'missing')
      .map((kind) => LISTS[kind].method)
    if (missing.length > 0) {
      this.deps.logger.warn(
        `upstream '${this.deps.upstreamId}' does not implement ${missing.join(', ')} (Method not found): ` +
          'listed as empty until it reports a change or reconnects',
      )
    }
    return outcomes.some((outcome) => outcome !== 'failed')
  }

  /** The upstream went down: its lists are kept only to explain missing names. */
  clear(): void {
    this.cancelRetries()
    this.lastKnown = this.catalog
    this.catalog = emptyCatalog()
  }

  cancelRetries(): void {
    for (const { timer } of this.failures.values()) clearTimeout(timer)
    this.failures.clear()
  }

  private async readOne(link: UpstreamLink, kind: CatalogKind): Promise<Outcome> {
    const { method, capability } = LISTS[kind]
    if (!this.capabilities[capability]) return 'listed'
    try {
      this.catalog[kind] = await listAll(link, method, kind, this.warnDropped)
      this.forgetFailure(kind)
      return 'listed'
    } catch (error) {
      if (isMethodNotFound(error)) {
        this.forgetFailure(kind)
        this.catalog[kind] = []
        return 'missing'
      }
      if (link.isOpen) this.retryLater(kind, method, error)
      return 'failed'
    }
  }

  private retryLater(kind: CatalogKind, method: string, error: unknown): void {
    const failure = this.failures.get(kind) ?? { attempt: 0 }
    clearTimeout(failure.timer)
    this.failures.set(kind, failure)
    const level = failure.attempt === 0 ? 'warn' : 'debug'
    const what = `upstream '${this.deps.upstreamId}': ${method} failed (${describe(error)})`
    if (!this.deps.retries) {
      this.deps.logger[level](`${what}; read again with the next catalog read`)
      return
    }
    const delay = backoffDelay(failure.attempt++)
    this.deps.logger[level](`${what}; read again in ${Math.round(delay / 100) / 10} s`)
    failure.timer = setTimeout(() => void this.retry(kind), delay)
  }

  private async retry(kind: CatalogKind): Promise<void> {
    const link = this.deps.link()
    const failure = this.failures.get(kind)
    if (!failure) return
    // The connection that listed may not be installed yet (its other lists are still being read).
    if (!link) {
      failure.timer = setTimeout(() => void this.retry(kind), backoffDelay(failure.attempt))
      return
    }
    if (await this.read(link, [kind])) this.deps.onRetried(kind)
  }

  private forgetFailure(kind: CatalogKind): void {
    clearTimeout(this.failures.get(kind)?.timer)
    this.failures.delete(kind)
  }

  private readonly warnDropped = (method: string, what: string): void =>
    this.deps.logger.warn(`upstream '${this.deps.upstreamId}': ${method} left out ${what}`)
}
