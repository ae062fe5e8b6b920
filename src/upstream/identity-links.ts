import type { Notification, PriorDiscovery, Transport } from '@modelcontextprotocol/client'
import type { UpstreamConfig } from '../config/resolve.ts'
import type { Credential } from '../credentials/credential.ts'
import { proxyErrors } from '../errors.ts'
import { unref } from '../unref.ts'
import { openLink } from './connect-client.ts'
import { sharedLinkCapabilities } from './connection-policy.ts'
import type { UpstreamLink } from './link.ts'
import { openFailure } from './to-proxy-error.ts'

/** An identity's connection with no call for this long is closed. */
const IDLE_MS = 5 * 60_000
/** Connections kept at most (the idlest is closed first): over HTTP they are cheap, a process each is not. */
const MAX_LINKS = { http: 256, stdio: 32 }

export interface IdentityLinkHost {
  readonly config: UpstreamConfig
  verdict(): PriorDiscovery | undefined
  transport(credential: Credential): Transport
  checkHealth(): void
  /** A notification on an identity's connection (its tools changed, for one). */
  onNotification(credential: Credential, notification: Notification): void
}

interface Entry {
  link: Promise<UpstreamLink>
  /** Once open: sessions keep using it without asking again, so its idleness is the link's own. */
  opened?: UpstreamLink
}

/**
 * An upstream's connections per identity: where calls would share the service connection
 * (sessionless 2026-07-28 requests, a modern-only upstream), an identity with its own credential
 * gets a connection of its own instead, kept while it is used.
 */
export class IdentityLinks {
  private readonly entries = new Map<string, Entry>()
  private sweeper: ReturnType<typeof setInterval> | undefined
  private closed = false

  constructor(private readonly host: IdentityLinkHost) {}

  async get(credential: Credential): Promise<UpstreamLink> {
    const { key } = credential
    const entry = this.entries.get(key)
    if (!entry) return this.open(credential)
    const link = await entry.link.catch(() => undefined)
    if (link?.isOpen) return link
    if (this.entries.get(key) === entry) this.entries.delete(key)
    return this.get(credential)
  }

  /** Closes every connection (the upstream stops). */
  async closeAll(): Promise<void> {
    this.closed = true
    clearInterval(this.sweeper)
    this.sweeper = undefined
    await this.dropAll()
  }

  /** The upstream went down: its upstream sessions are gone, so each identity opens a new one when next it calls. */
  async dropAll(): Promise<void> {
    const entries = [...this.entries.values()]
    this.entries.clear()
    await Promise.all(entries.map(close))
  }

  private open(credential: Credential): Promise<UpstreamLink> {
    const { config } = this.host
    if (this.closed) return Promise.reject(proxyErrors.upstreamUnavailable(config.id, ' (stopped)'))
    const link = openLink(config, this.host.transport(credential), {
      capabilities: sharedLinkCapabilities(config.transport),
      prior: this.host.verdict(),
      sessionScoped: false,
      onNotification: (notification) => this.host.onNotification(credential, notification),
      onClose: () => {},
      // A broken connection (or an upstream session the upstream forgot) is dropped: the next call opens another.
      onConnectionFailure: () => {
        if (this.entries.get(credential.key) === entry) this.evict(credential.key)
        this.host.checkHealth()
      },
    }).then(
      (opened) => {
        entry.opened = opened
        return opened
      },
      (error) => {
        if (this.entries.get(credential.key) === entry) this.entries.delete(credential.key)
        throw openFailure(config.id, error)
      },
    )
    const entry: Entry = { link }
    this.entries.set(credential.key, entry)
    const max = config.transport === 'stdio' ? MAX_LINKS.stdio : MAX_LINKS.http
    if (this.entries.size > max) this.evictIdlest()
    this.sweeper ??= unref(setInterval(() => this.sweep(), IDLE_MS / 5))
    return link
  }

  private sweep(): void {
    const now = Date.now()
    for (const [key, entry] of this.entries) if ((entry.opened?.idleMs(now) ?? 0) > IDLE_MS) this.evict(key)
  }

  /** Past the limit: the connection idle longest goes (none while every one is busy). */
  private evictIdlest(): void {
    const now = Date.now()
    let idlest: [string, number] | undefined
    for (const [key, entry] of this.entries) {
      const idle = entry.opened?.idleMs(now) ?? 0
      if (idle > 0 && (!idlest || idle > idlest[1])) idlest = [key, idle]
    }
    if (idlest) this.evict(idlest[0])
  }

  private evict(key: string): void {
    const entry = this.entries.get(key)
    this.entries.delete(key)
    if (entry) void close(entry)
  }
}

function close(entry: Entry): Promise<void> {
  return entry.link.then((link) => link.close()).catch(() => {})
}
