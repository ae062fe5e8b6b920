/** One raw JSON-RPC POST to /mcp, as a client sends it, for asserting on status and headers. */
export function postRpc(
  url: string,
  headers: Record<string, string> = {},
  message: Record<string, unknown> = { jsonrpc: '2.0', id: 1, method: 'tools/list' },
): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      ...headers,
    },
    body: JSON.stringify(message),
  })
}

/** The `initialize` a 2025-era client opens its session with. */
export function initializeMessage(protocolVersion = '2025-11-25'): Record<string, unknown> {
  return {
    jsonrpc: '2.0',
    id: 1,
    method: 'initialize',
    params: { protocolVersion, capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
  }
}

/** A raw `initialize` POST, for asserting on what the proxy answers it with. */
export function postInitialize(url: string, headers: Record<string, string> = {}): Promise<Response> {
  return postRpc(url, headers, initializeMessage())
}
