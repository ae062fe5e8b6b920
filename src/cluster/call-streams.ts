import type {
  EventStore,
  RequestId,
  WebStandardStreamableHTTPServerTransport,
} from '@modelcontextprotocol/server'

/**
 * The SSE event ids of the streams that carry a session's calls, in cluster mode. Each names the
 * replica serving the stream and the client's requests on it, so that when that replica dies, the
 * client reconnects with it (Last-Event-ID) and whichever replica it reaches answers those requests
 * with an error instead of leaving the client to wait for its timeout.
 */
export function callStreamEventId(replicaPrefix: string, ids: RequestId[]): string {
  return `${replicaPrefix}c${encodeURIComponent(JSON.stringify(ids.length === 1 ? ids[0] : ids))}`
}

/** The client's requests a call stream's event id names (after its replica's prefix), or undefined. */
export function requestIdsOf(rest: string): RequestId[] | undefined {
  if (!rest.startsWith('c')) return undefined
  let named: unknown
  try {
    named = JSON.parse(decodeURIComponent(rest.slice(1)))
  } catch {
    return undefined
  }
  const ids = Array.isArray(named) ? named : [named]
  return ids.length > 0 && ids.every(isRequestId) ? ids : undefined
}

/**
 * The SDK transport's event store in cluster mode. It keeps nothing (a stream cut by a dead replica
 * cannot be resumed); it gives each event of a call stream the id that names the stream's requests
 * still unanswered. The SDK writes these ids on the events of every client, and primes the stream
 * with one (an event without data) for clients of 2025-11-25 and later.
 */
export function callStreamEvents(
  replicaPrefix: () => string,
  transport: () => WebStandardStreamableHTTPServerTransport,
): EventStore {
  /** Per stream, the requests an event has answered (the SDK records an answer only after its event). */
  const answered = new Map<string, Set<RequestId>>()
  return {
    async storeEvent(streamId, message) {
      // No id for the GET stream: its client reconnects without one, as it would to a lone proxy.
      if (streamId === GET_STREAM) return ''
      const { id, method } = message as { id?: RequestId; method?: string }
      let done = answered.get(streamId)
      if (method === undefined && id !== undefined) {
        done ??= new Set<RequestId>()
        answered.set(streamId, done.add(id))
      }
      const ids = requestsOn(transport(), streamId).filter((request) => !done?.has(request))
      if (ids.length === 0) answered.delete(streamId)
      return ids.length > 0 ? callStreamEventId(replicaPrefix(), ids) : ''
    },
    // A Last-Event-ID that names no call stream (see ClusteredSession.answerLostStream): the client
    // gets the session's GET stream, taking it over from an earlier one.
    replayEventsAfter: async () => GET_STREAM,
  }
}

/**
 * Whether the client's GET stream is open on this transport. The SDK does not say: it keeps the
 * stream under this key of a private map (checked by the cluster tests against the pinned SDK).
 */
export function holdsGetStream(transport: WebStandardStreamableHTTPServerTransport): boolean {
  return internals(transport)._streamMapping?.has(GET_STREAM) ?? false
}

const GET_STREAM = '_GET_stream'

/** The client's requests on a stream, from the SDK's private map (as `holdsGetStream`). */
function requestsOn(transport: WebStandardStreamableHTTPServerTransport, streamId: string): RequestId[] {
  const ids: RequestId[] = []
  for (const [id, stream] of internals(transport)._requestToStreamMapping ?? [])
    if (stream === streamId) ids.push(id)
  return ids
}

interface TransportInternals {
  _streamMapping?: Map<string, unknown>
  _requestToStreamMapping?: Map<RequestId, string>
}

function internals(transport: WebStandardStreamableHTTPServerTransport): TransportInternals {
  return transport as unknown as TransportInternals
}

function isRequestId(id: unknown): id is RequestId {
  return typeof id === 'string' || typeof id === 'number'
}
