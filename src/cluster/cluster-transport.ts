import type {
  JSONRPCMessage,
  MessageExtraInfo,
  RequestId,
  Transport,
  TransportSendOptions,
  WebStandardStreamableHTTPServerTransport,
} from '@modelcontextprotocol/server'
import { holdsGetStream } from './call-streams.ts'
import type { ClusterNode } from './cluster-node.ts'

/**
 * Notifications every replica sends for itself (each follows the catalog): only the one holding
 * the client's GET stream delivers them. A resource update comes once, wherever the subscription
 * was made or the upstream session's GET stream is held, and is passed there like other messages.
 */
const SENT_BY_EVERY_REPLICA = new Set([
  'notifications/tools/list_changed',
  'notifications/prompts/list_changed',
  'notifications/resources/list_changed',
])

type Message = { id?: RequestId; method?: string }

/** Requests to the client that were never answered are forgotten past this many. */
const MAX_UNANSWERED = 1_000

/**
 * The SDK transport of a session held by several replicas, as its SDK server sees it:
 * - requests to the client get ids that name this replica, so their answers come back here from
 *   whichever replica the client posts them to;
 * - messages outside any call go to the replica holding the client's GET stream.
 */
export class ClusterTransport implements Transport {
  onclose?: () => void
  onerror?: (error: Error) => void
  onmessage?: Transport['onmessage']
  /** Ids this replica gave its requests → the ids its SDK server chose. */
  private readonly asked = new Map<string, RequestId>()
  private next = 0

  constructor(
    private readonly inner: WebStandardStreamableHTTPServerTransport,
    private readonly node: ClusterNode,
  ) {
    inner.onmessage = (message, extra) => this.receive(message, extra)
    inner.onclose = () => this.onclose?.()
    inner.onerror = (error) => this.onerror?.(error)
  }

  get sessionId(): string | undefined {
    return this.inner.sessionId
  }

  setSupportedProtocolVersions(versions: string[]): void {
    this.inner.setSupportedProtocolVersions(versions)
  }

  start(): Promise<void> {
    return this.inner.start()
  }

  close(): Promise<void> {
    return this.inner.close()
  }

  async send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    const { id, method } = message as Message
    let outgoing = message
    if (method !== undefined && id !== undefined) {
      const clusterId = `${this.node.idPrefix()}s${++this.next}`
      this.asked.set(clusterId, id)
      if (this.asked.size > MAX_UNANSWERED) this.asked.delete(this.asked.keys().next().value as string)
      outgoing = { ...message, id: clusterId } as JSONRPCMessage
    }
    const inCall = options?.relatedRequestId !== undefined || method === undefined
    if (inCall || SENT_BY_EVERY_REPLICA.has(method as string) || this.holdsStream() || !this.sessionId) {
      return this.inner.send(outgoing, options)
    }
    await this.node.tell(this.sessionId, { kind: 'deliver', message: outgoing })
  }

  /** A message another replica had for the client: sent if the client's GET stream is here. */
  deliver(message: JSONRPCMessage): void {
    if (this.holdsStream()) void this.inner.send(message).catch(() => {})
  }

  /** Whether the client's GET stream is open on this replica. */
  holdsStream(): boolean {
    return holdsGetStream(this.inner)
  }

  private receive(message: JSONRPCMessage, extra?: MessageExtraInfo): void {
    const { id, method } = message as Message
    const original = method === undefined && typeof id === 'string' ? this.asked.get(id) : undefined
    if (original !== undefined) {
      this.asked.delete(id as string)
      message = { ...message, id: original } as JSONRPCMessage
    }
    this.onmessage?.(message, extra)
  }
}
