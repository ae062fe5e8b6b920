import type {
  ClientCapabilities,
  Notification,
  PriorDiscovery,
  Transport,
} from '@modelcontextprotocol/client'
import type { UpstreamConfig } from '../config/resolve.ts'
import type { Credential } from '../credentials/credential.ts'
import { openLink } from './connect-client.ts'
import { refusesLegacy } from './connection-policy.ts'
import type { SharedSessionTransport } from './create-transport.ts'
import type { AskDownstream, UpstreamLink, UpstreamSessionRef } from './link.ts'
import { openFailure } from './to-proxy-error.ts'

export interface SessionLinkOptions {
  /** The downstream client speaks the 2025 era: an upstream session in that era is preferred. */
  clientEra?: 'legacy'
  /** What the connection authenticates with: the client's identity's credential, or the upstream's own. */
  credential: Credential
  capabilities: ClientCapabilities
  /** Answers server-to-client requests raised while none of the session's calls is in flight. */
  idleAsk: AskDownstream
  onNotification: (notification: Notification) => void
  /**
   * Cluster mode: the upstream session is shared with other replicas, whose connections' request
   * ids this prefix keeps apart; `resume` is one another replica opened, to go on with by its id.
   */
  sharing?: { requestIdPrefix: string; resume?: UpstreamSessionRef }
}

/** Connections opened in shared upstream sessions, numbered for their request ids. */
let connections = 0

/** A connection opened for one request: nothing outside the request to relay. */
export function requestLink(capabilities: ClientCapabilities, credential: Credential): SessionLinkOptions {
  return {
    credential,
    capabilities,
    idleAsk: async () => {
      throw new Error('no call is in progress')
    },
    onNotification: () => {},
  }
}

/** What session links need of their upstream: what it is, and its shared connection. */
export interface SessionLinkHost {
  readonly config: UpstreamConfig
  /** The era verdict learned on the shared connection, once known. */
  verdict(): PriorDiscovery | undefined
  /** The connection calls with this credential share (the shared one for the service credential), if open. */
  sharedConnection(credential: Credential): Promise<UpstreamLink> | undefined
  transport(credential: Credential, shared?: SharedSessionTransport): Transport
  /** A session's request failed at the connection level: the upstream itself may be gone. */
  checkHealth(): void
}

/** The connections one upstream holds for downstream sessions (and, on Workers, single requests). */
export class SessionLinks {
  private readonly open = new Set<UpstreamLink>()
  /** Whether this modern upstream also opens 2025-era sessions; unknown until a session asks. */
  private opensEra2025Sessions: boolean | undefined

  constructor(private readonly host: SessionLinkHost) {}

  /**
   * A connection for one downstream session, advertising that client's capabilities upstream so
   * the upstream behaves as with a direct client. For a 2025-era client, a modern upstream is
   * first asked for a 2025-era session of its own: most serve both eras at one endpoint, and only
   * a session in the client's own era keeps `logging/setLevel`, `resources/subscribe` and
   * push-style sampling and elicitation working. A modern-only upstream shares the modern connection.
   */
  connect(options: SessionLinkOptions): Promise<UpstreamLink> {
    const resume = options.sharing?.resume
    if (resume) return this.named(this.resumed(options, resume))
    return this.named(this.choose(options, 'may borrow'))
  }

  /**
   * Runs `use` on a connection opened for it and closed after it: for runtimes that forbid
   * sharing I/O between requests (Cloudflare Workers). The era verdict makes it cheap.
   */
  async withRequestLink<T>(options: SessionLinkOptions, use: (link: UpstreamLink) => Promise<T>): Promise<T> {
    // Its own connection: it is closed after the request, so none is borrowed.
    const link = await this.named(this.choose(options, 'own'))
    try {
      return await use(link)
    } finally {
      await link.close()
    }
  }

  /** The upstream reconnected and may have been redeployed: ask again whether it opens 2025-era sessions. */
  forgetEraAnswer(): void {
    this.opensEra2025Sessions = undefined
  }

  /** Whether the connection was opened for one session (not the shared or an identity's connection it borrowed). */
  owns(link: UpstreamLink): boolean {
    return this.open.has(link)
  }

  /** Every session connection still open, to close with the upstream. */
  takeAll(): UpstreamLink[] {
    const links = [...this.open]
    this.open.clear()
    return links
  }

  /** The client sees which upstream could not be reached, not the transport's bare message. */
  private async named(opening: Promise<UpstreamLink>): Promise<UpstreamLink> {
    try {
      return await opening
    } catch (error) {
      throw openFailure(this.host.config.id, error)
    }
  }

  private async choose(options: SessionLinkOptions, connection: 'may borrow' | 'own'): Promise<UpstreamLink> {
    const verdict = this.host.verdict()
    if (verdict?.kind !== 'modern') return this.openNew(options, verdict)
    if (
      options.clientEra === 'legacy' &&
      this.opensEra2025Sessions !== false &&
      this.host.config.era === 'auto'
    ) {
      try {
        const link = await this.openNew(options, { kind: 'legacy' })
        this.opensEra2025Sessions = true
        return link
      } catch (error) {
        if (!refusesLegacy(error)) throw error
        this.opensEra2025Sessions = false
      }
    }
    const shared = connection === 'may borrow' ? this.host.sharedConnection(options.credential) : undefined
    return shared ?? this.openNew(options, verdict)
  }

  /** A link in a 2025-era session another connection opened: the SDK client skips the handshake. */
  private resumed(options: SessionLinkOptions, session: UpstreamSessionRef): Promise<UpstreamLink> {
    const transport = this.host.transport(options.credential, this.sharedTransport(options, session.id))
    transport.setProtocolVersion?.(session.protocolVersion)
    return this.openNew(options, { kind: 'legacy' }, transport)
  }

  private sharedTransport(
    options: SessionLinkOptions,
    sessionId?: string,
  ): SharedSessionTransport | undefined {
    if (!options.sharing) return undefined
    // Each connection's own prefix: a session's later connection to the upstream numbers from 0 again.
    const requestIdPrefix = `${options.sharing.requestIdPrefix}k${++connections}-`
    return { requestIdPrefix, ...(sessionId && { sessionId }) }
  }

  private async openNew(
    options: SessionLinkOptions,
    prior: PriorDiscovery | undefined,
    transport?: Transport,
  ): Promise<UpstreamLink> {
    const { clientEra: _clientEra, credential, sharing: _sharing, ...linkOptions } = options
    const link = await openLink(
      this.host.config,
      transport ?? this.host.transport(credential, this.sharedTransport(options)),
      {
        ...linkOptions,
        prior,
        sessionScoped: true,
        sharedSession: options.sharing !== undefined,
        onClose: (closed) => this.open.delete(closed),
        onConnectionFailure: () => this.host.checkHealth(),
      },
    )
    this.open.add(link)
    return link
  }
}
