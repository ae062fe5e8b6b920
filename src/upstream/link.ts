import type { Client, Notification } from '@modelcontextprotocol/client'
import { proxyErrors } from '../errors.ts'
import type { BoundedHttpTransport } from './bounded-http-transport.ts'
import { LinkTap } from './link-tap.ts'
import { looseResult } from './loose-result.ts'
import type { StdioUpstreamTransport } from './stdio-transport.ts'
import { isConnectionFailure, toProxyError } from './to-proxy-error.ts'

export type JsonObject = Record<string, unknown>

/** A request from an upstream to the client (sampling, elicitation, roots). */
export interface ServerToClientRequest {
  method: string
  params?: JsonObject
}

/** A 2025-era upstream session over Streamable HTTP, as another connection resumes it. */
export interface UpstreamSessionRef {
  id: string
  protocolVersion: string
}

/** How the downstream side answers an upstream's server-to-client request. */
export type AskDownstream = (request: ServerToClientRequest, signal: AbortSignal) => Promise<JsonObject>

export interface ForwardOptions {
  signal?: AbortSignal
  onprogress?: (progress: JsonObject) => void
  /** Where server-to-client requests raised while this request is in flight go. */
  ask?: AskDownstream
  /** HTTP headers for this request only (SEP-2243 `Mcp-Param-*`); other transports ignore them. */
  headers?: Record<string, string>
}

/**
 * How a call may move past the SDK on this link, decided where the link is made: as one HTTP
 * exchange (Streamable HTTP), as one message on the process's pipe (stdio), or not at all.
 */
export type DirectPath = 'http' | 'message' | 'none'

export interface LinkOptions {
  upstreamId: string
  directPath: DirectPath
  timeoutMs: number
  /**
   * True when every request on this link comes from one downstream session: a server-to-client
   * request then belongs to that session whichever of its calls is in flight.
   */
  sessionScoped: boolean
  /** The upstream session is shared with other replicas' links: a broken link leaves it to them. */
  sharedSession?: boolean
  /** Where server-to-client requests go when no call is in flight (session-level requests). */
  idleAsk?: AskDownstream
  onConnectionFailure?: () => void
}

/** One connected MCP client to an upstream, and the bookkeeping to route what the upstream asks back. */
export class UpstreamLink {
  private readonly inFlight: AskDownstream[] = []
  private closed = false
  /** Requests in progress on this link, whichever path sent them, and when the last one ended. */
  private busy = 0
  private lastUsedAt = Date.now()
  private tap: LinkTap | undefined

  constructor(
    readonly client: Client,
    private readonly options: LinkOptions,
  ) {
    const previous = client.onclose
    client.onclose = () => {
      this.closed = true
      previous?.()
    }
  }

  get upstreamId(): string {
    return this.options.upstreamId
  }

  get isOpen(): boolean {
    return !this.closed
  }

  /** True when this connection speaks 2026-07-28: every request carries its own `_meta` envelope. */
  get isModern(): boolean {
    return this.client.getProtocolEra() === 'modern'
  }

  get timeoutMs(): number {
    return this.options.timeoutMs
  }

  /**
   * The Streamable HTTP transport of a 2025-era upstream session that one downstream session owns:
   * requests can then be POSTed to it as they are, outside the SDK.
   */
  get httpSession(): BoundedHttpTransport | undefined {
    if (this.options.directPath !== 'http' || !this.options.sessionScoped || this.closed || this.isModern)
      return undefined
    const transport = this.client.transport as BoundedHttpTransport
    return transport.sessionId ? transport : undefined
  }

  /**
   * For a 2025-era stdio connection: where requests made outside the SDK send and get their
   * answers (see LinkTap).
   */
  get messageTap(): LinkTap | undefined {
    if (this.options.directPath !== 'message' || this.closed || this.isModern) return undefined
    this.tap ??= new LinkTap(this.client.transport as StdioUpstreamTransport)
    return this.tap
  }

  /**
   * Counts a call made outside the SDK as in flight, so the upstream's questions meanwhile are
   * attributed to it as to any other call; returns its release.
   */
  track(ask: AskDownstream): () => void {
    this.inFlight.push(ask)
    const done = this.use()
    return () => {
      this.inFlight.splice(this.inFlight.indexOf(ask), 1)
      done()
    }
  }

  /** How long no request has been in progress on this link (0 while one is). */
  idleMs(now = Date.now()): number {
    return this.busy > 0 ? 0 : now - this.lastUsedAt
  }

  private use(): () => void {
    this.busy++
    return () => {
      this.busy--
      this.lastUsedAt = Date.now()
    }
  }

  /** The connection broke: a session's link is dropped (its next call opens a fresh one) and the upstream checked. */
  failed(): void {
    if (this.options.sessionScoped) void this.leave()
    this.options.onConnectionFailure?.()
  }

  /** Sends a request upstream, keeping every field of the answer. */
  async request(
    method: string,
    params: JsonObject | undefined,
    options: ForwardOptions = {},
  ): Promise<JsonObject> {
    const untrack = options.ask ? this.track(options.ask) : this.use()
    try {
      return await this.client.request({ method, params }, looseResult, {
        signal: options.signal,
        onprogress: options.onprogress,
        timeout: this.options.timeoutMs,
        resetTimeoutOnProgress: true,
        allowInputRequired: true,
        ...(options.headers && { headers: options.headers }),
      })
    } catch (error) {
      if (isConnectionFailure(error)) this.failed()
      throw toProxyError(error, this.options.upstreamId, this.options.timeoutMs)
    } finally {
      untrack()
    }
  }

  async notify(notification: Notification): Promise<void> {
    if (this.closed) return
    await this.client.notification(notification).catch(() => {})
  }

  /** Routes a server-to-client request from the upstream to the downstream client that caused it. */
  ask(request: ServerToClientRequest, signal: AbortSignal): Promise<JsonObject> {
    const target = this.attribute()
    if (!target) {
      const reason =
        this.inFlight.length === 0
          ? 'no client request is in progress on this upstream'
          : 'several clients have requests in progress on this shared upstream connection'
      throw proxyErrors.cannotDeliver(request.method, this.options.upstreamId, reason)
    }
    return target(request, signal)
  }

  private attribute(): AskDownstream | undefined {
    if (this.inFlight.length === 1) return this.inFlight[0]
    if (this.inFlight.length > 1) return this.options.sessionScoped ? this.inFlight.at(-1) : undefined
    return this.options.idleAsk
  }

  /** The 2025-era Streamable HTTP session this link speaks in, to be resumed elsewhere by its id. */
  get upstreamSession(): UpstreamSessionRef | undefined {
    const transport = this.httpSession
    const protocolVersion = transport?.protocolVersion
    return transport?.sessionId && protocolVersion ? { id: transport.sessionId, protocolVersion } : undefined
  }

  /**
   * Opens the session's GET stream, for what the upstream sends outside calls; false when the
   * upstream refuses it, as while another connection (another replica's) holds it, which then
   * gets all that instead.
   */
  async openStream(): Promise<boolean> {
    const transport = this.httpSession
    if (!transport) return false
    return transport.resumeStream('').then(
      () => true,
      () => false,
    )
  }

  /** Ends the upstream session (DELETE for Streamable HTTP, which `close()` alone does not send) and disconnects. */
  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    const transport = this.client.transport as { terminateSession?: () => Promise<void> } | undefined
    await transport?.terminateSession?.().catch(() => {})
    await this.client.close().catch(() => {})
  }

  /** Ends the connection: its upstream session too, unless other replicas speak in it. */
  leave(): Promise<void> {
    return this.options.sharedSession ? this.disconnect() : this.close()
  }

  /** Disconnects, leaving the upstream session to whoever else speaks in it. */
  async disconnect(): Promise<void> {
    if (this.closed) return
    this.closed = true
    await this.client.close().catch(() => {})
  }
}

/** How long a connection suspected broken has to answer a probe. */
const PROBE_TIMEOUT_MS = 5_000

/** A round trip that shows a connection is alive. 2026-07-28 has no ping (the SDK refuses to send it on a modern link): server/discover stands in. */
export function probeLink(link: UpstreamLink): Promise<unknown> {
  return link.isModern
    ? link.client.discover({ timeout: PROBE_TIMEOUT_MS })
    : link.client.ping({ timeout: PROBE_TIMEOUT_MS })
}
