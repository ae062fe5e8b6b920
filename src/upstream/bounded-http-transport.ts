import {
  type FetchLike,
  isJSONRPCRequest,
  type JSONRPCMessage,
  type MessageExtraInfo,
  StreamableHTTPClientTransport,
  type StreamableHTTPClientTransportOptions,
  type TransportSendOptions,
} from '@modelcontextprotocol/client'
import { errorFields, proxyErrors } from '../errors.ts'
import { jsonLinesFetch } from './json-lines.ts'

type RequestId = string | number
type OnMessage = (message: JSONRPCMessage, extra?: MessageExtraInfo) => void

const FIRST_MODERN_VERSION = '2026-07-28'

/**
 * The SDK's Streamable HTTP client transport with each request's HTTP exchange bound to the
 * request: cancelling it (timeout or abort; the SDK then sends notifications/cancelled) aborts
 * its POST, and a POST whose event stream ends without the answer fails the request at once. The
 * SDK does neither for 2025-era servers: the POST stays open, or the request waits out its timeout.
 * It also reads past two slips of 2026-07-28 servers the SDK rejects: answers sent as JSON lines
 * under `application/json` (see jsonLinesFetch), and results without `resultType`.
 */
export class BoundedHttpTransport extends StreamableHTTPClientTransport {
  private readonly exchanges = new Map<RequestId, AbortController>()
  private handler: OnMessage | undefined
  private postHeaders: Record<string, string> | undefined
  /** The fetch the direct path posts with: it reads the answer itself, so nothing is read ahead of it. */
  private readonly plainFetch: FetchLike
  /** Set once the connection speaks 2026-07-28, the era whose servers slip as described above. */
  private readonly era: { modern: boolean }

  constructor(
    private readonly upstreamId: string,
    private readonly url: URL,
    private readonly options?: StreamableHTTPClientTransportOptions,
    /** Called with a few words each time the upstream breaks the protocol in a way read past. */
    private readonly onTolerated?: (deviation: string) => void,
    /**
     * Prefixes the ids of the SDK client's requests: connections of several replicas share one
     * upstream session (cluster mode), and each client numbers its requests from 0.
     */
    private readonly idPrefix?: string,
  ) {
    const plainFetch = options?.fetch ?? fetch
    const era = { modern: false }
    const lenientFetch = jsonLinesFetch(
      plainFetch,
      () => onTolerated?.('answers with JSON lines as application/json'),
      () => era.modern,
    )
    super(url, { ...options, fetch: lenientFetch })
    this.plainFetch = plainFetch
    this.era = era
    // The base class declares `onmessage` as a field: replace it on the instance to see answers go by.
    Object.defineProperty(this, 'onmessage', {
      get: () =>
        this.handler && ((message: JSONRPCMessage, extra?: MessageExtraInfo) => this.deliver(message, extra)),
      set: (handler: OnMessage | undefined) => {
        this.handler = handler
      },
    })
  }

  override async send(
    message: JSONRPCMessage | JSONRPCMessage[],
    options?: TransportSendOptions,
  ): Promise<void> {
    if (Array.isArray(message) || !isJSONRPCRequest(message)) {
      await super.send(this.outgoing(message), options)
      if (!Array.isArray(message) && 'method' in message && message.method === 'notifications/cancelled') {
        this.release((message.params as { requestId?: RequestId } | undefined)?.requestId)
      }
      return
    }
    const exchange = new AbortController()
    this.exchanges.set(message.id, exchange)
    const requestSignal = options?.requestSignal
      ? AbortSignal.any([options.requestSignal, exchange.signal])
      : exchange.signal
    try {
      await super.send(this.outgoing(message), {
        ...options,
        requestSignal,
        onRequestStreamEnd: () => {
          options?.onRequestStreamEnd?.()
          if (this.exchanges.has(message.id)) this.unanswered(message.id)
        },
      })
    } catch (error) {
      this.exchanges.delete(message.id)
      throw error
    }
  }

  /**
   * POSTs one message in this session outside the SDK, for a caller that reads the HTTP answer
   * itself (the direct tool-call path). The headers are the ones the SDK sends on this session.
   */
  post(
    message: JSONRPCMessage,
    signal: AbortSignal,
    extraHeaders?: Record<string, string>,
  ): Promise<Response> {
    return this.plainFetch(this.url, {
      method: 'POST',
      headers: extraHeaders ? { ...this.sessionHeaders(), ...extraHeaders } : this.sessionHeaders(),
      body: JSON.stringify(message),
      signal,
      // As the SDK's own requests: credentials are not carried to wherever a redirect points.
      redirect: 'manual',
    })
  }

  /** Hands the SDK client a message that arrived on an exchange made with `post`. */
  dispatch(message: JSONRPCMessage): void {
    this.handler?.(message)
  }

  private sessionHeaders(): Record<string, string> {
    this.postHeaders ??= {
      ...Object.fromEntries(new Headers(this.options?.requestInit?.headers)),
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      ...(this.sessionId && { 'mcp-session-id': this.sessionId }),
      ...(this.protocolVersion && { 'mcp-protocol-version': this.protocolVersion }),
    }
    return this.postHeaders
  }

  override setProtocolVersion(version: string): void {
    super.setProtocolVersion(version)
    this.era.modern = version >= FIRST_MODERN_VERSION
  }

  override async close(): Promise<void> {
    for (const exchange of this.exchanges.values()) exchange.abort()
    this.exchanges.clear()
    await super.close()
  }

  /** The SDK's message as the upstream gets it: its request ids (and cancellations of them) prefixed. */
  private outgoing<T extends JSONRPCMessage | JSONRPCMessage[]>(message: T): T {
    const prefix = this.idPrefix
    if (!prefix || Array.isArray(message)) return message
    if (isJSONRPCRequest(message)) return { ...message, id: `${prefix}${message.id}` }
    const { method, params } = message as { method?: string; params?: { requestId?: RequestId } }
    // A cancellation of one of the SDK's requests (the direct path's carry their ids as they are).
    const cancelled = method === 'notifications/cancelled' ? params?.requestId : undefined
    if (cancelled === undefined || !this.exchanges.has(cancelled)) return message
    return { ...message, params: { ...params, requestId: `${prefix}${cancelled}` } }
  }

  /** An answer's id as the SDK gave it (see `outgoing`). */
  private incomingId(id: RequestId): RequestId {
    const prefix = this.idPrefix
    if (!prefix || typeof id !== 'string' || !id.startsWith(prefix)) return id
    const own = id.slice(prefix.length)
    return String(Number(own)) === own ? Number(own) : own
  }

  private deliver(message: JSONRPCMessage, extra?: MessageExtraInfo): void {
    if ('id' in message && ('result' in message || 'error' in message)) {
      const id = this.incomingId(message.id as RequestId)
      if (id !== message.id) message = { ...message, id } as JSONRPCMessage
      this.exchanges.delete(id)
    }
    if (this.era.modern && 'result' in message && !('resultType' in message.result)) {
      // The SDK fails such a result; what it stands for is what the 2025 era meant by no resultType.
      message.result.resultType = 'complete'
      this.onTolerated?.('answers without resultType')
    }
    this.handler?.(message, extra)
  }

  private release(id: RequestId | undefined): void {
    if (id === undefined) return
    this.exchanges.get(id)?.abort()
    this.exchanges.delete(id)
  }

  /** The answer stream ended without the answer: fail the request now rather than at its timeout. */
  private unanswered(id: RequestId): void {
    this.exchanges.delete(id)
    this.deliver({ jsonrpc: '2.0', id, error: errorFields(proxyErrors.unansweredStream(this.upstreamId)) })
  }
}
