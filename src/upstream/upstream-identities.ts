import type { Notification, PriorDiscovery, Transport } from '@modelcontextprotocol/client'
import type { UpstreamConfig } from '../config/resolve.ts'
import { type Credential, SERVICE_KEY } from '../credentials/credential.ts'
import { type CredentialDeps, UpstreamCredentials } from '../credentials/upstream-credentials.ts'
import type { Logger } from '../logger.ts'
import { IdentityLinks } from './identity-links.ts'
import { IdentityTools } from './identity-tools.ts'
import type { JsonObject, UpstreamLink } from './link.ts'

/** What the identity side needs of its upstream. */
export interface IdentitiesHost {
  readonly config: UpstreamConfig
  readonly perRequest: boolean
  verdict(): PriorDiscovery | undefined
  checkHealth(): void
  sharedLink(): UpstreamLink | undefined
  /** The tools the service credential lists. */
  catalogTools(): JsonObject[]
  transport(credential: Credential): Transport
  /** A connection opened for one request and closed after it (Workers). */
  withRequestLink<T>(credential: Credential, use: (link: UpstreamLink) => Promise<T>): Promise<T>
  /** An identity's tools changed upstream: the catalog is told, and so are clients. */
  toolsChanged(): void
  /** An identity's tool list was read and differs from what its clients were shown. */
  identityToolsChanged(identity: string): void
}

/**
 * One upstream as each identity reaches it: the credentials, the connections kept per identity
 * for calls that would otherwise share the service connection, and, where the upstream lists
 * tools per user, each identity's list.
 */
export class UpstreamIdentities {
  readonly credentials: UpstreamCredentials
  readonly tools: IdentityTools | undefined
  private readonly links: IdentityLinks

  constructor(
    private readonly host: IdentitiesHost,
    deps: CredentialDeps & { logger: Logger },
  ) {
    const { config } = host
    this.credentials = new UpstreamCredentials(config, deps)
    this.links = new IdentityLinks({
      config,
      verdict: () => host.verdict(),
      checkHealth: () => host.checkHealth(),
      transport: (credential) => host.transport(credential),
      onNotification: (credential, notification) => this.notified(credential.identity, notification),
    })
    if (config.listsPerIdentity) {
      this.tools = new IdentityTools({
        upstreamId: config.id,
        logger: deps.logger,
        withConnection: (credential, use) => this.withConnection(credential, use),
        onChange: (identity) => host.identityToolsChanged(identity),
      })
    }
  }

  /** A tool as the upstream lists it to this identity (its own list, where lists are kept per identity). */
  tool(name: string, identity: string | undefined): JsonObject | undefined {
    const listed = (identity !== undefined && this.tools?.toolsOf(identity)) || this.host.catalogTools()
    return listed.find((tool) => tool.name === name)
  }

  /**
   * The connection calls with this credential share: the shared connection for the service
   * credential, otherwise the identity's own (opened if need be).
   */
  connectionFor(credential: Credential): Promise<UpstreamLink> | undefined {
    if (credential.key !== SERVICE_KEY) return this.links.get(credential)
    const link = this.host.sharedLink()
    return link && Promise.resolve(link)
  }

  /** Runs `use` on the identity's connection, or on one opened for this request alone where none may outlive it (Workers). */
  async withConnection<T>(credential: Credential, use: (link: UpstreamLink) => Promise<T>): Promise<T> {
    if (this.host.perRequest) return this.host.withRequestLink(credential, use)
    const link = await this.connectionFor(credential)
    if (!link) throw new Error('the upstream is not connected')
    return use(link)
  }

  /**
   * A notification on a connection of one identity's (its own, or its session's): where tools are
   * listed per identity, a change has that identity's list read again, and clients told.
   */
  notified(identity: string | undefined, notification: Notification): void {
    if (notification.method !== 'notifications/tools/list_changed' || !this.tools) return
    if (identity === undefined) return
    this.tools.forget(identity)
    this.host.toolsChanged()
  }

  /** The upstream went down: its upstream sessions are gone, and every list is read again. */
  drop(): void {
    this.tools?.forgetAll()
    void this.links.dropAll()
  }

  close(): Promise<void> {
    return this.links.closeAll()
  }
}
