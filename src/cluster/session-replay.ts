/**
 * Requests a replica serves to itself, as if the client had sent them: its `initialize` and
 * `notifications/initialized` when it adopts a session another replica opened (the SDK transport
 * then answers to the session's id with the client's capabilities and protocol version), and
 * messages the client posted to another replica.
 */

const URL_HERE = 'http://cluster.local/mcp'

export interface ReplayedRequest {
  request: Request
  body: unknown
}

/** POST headers of a message within the session; without `mcp-protocol-version` the SDK assumes the oldest it accepts. */
export function replayHeaders(sessionId?: string): Record<string, string> {
  return {
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
    ...(sessionId && { 'mcp-session-id': sessionId }),
  }
}

/** The body travels parsed (`parsedBody`): the request carries only what the transport checks, its headers. */
export function replayed(body: unknown, sessionId?: string): ReplayedRequest {
  return { request: new Request(URL_HERE, { method: 'POST', headers: replayHeaders(sessionId) }), body }
}

/** The client's opening of a session, to replay where the session is adopted. */
export function adoptionRequests(sessionId: string, initialize: Record<string, unknown>): ReplayedRequest[] {
  return [
    replayed({ jsonrpc: '2.0', id: 'proxmcp-adopt', method: 'initialize', params: initialize }),
    replayed({ jsonrpc: '2.0', method: 'notifications/initialized' }, sessionId),
  ]
}
