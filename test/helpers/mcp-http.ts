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
