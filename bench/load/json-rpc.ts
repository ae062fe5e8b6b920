/** The few JSON-RPC shapes the load generator sends, and a reader for either answer format. */

export const MCP_ACCEPT = 'application/json, text/event-stream'
export const PROTOCOL_VERSION = '2025-11-25'

export interface JsonRpcAnswer {
  id?: number | string | null
  result?: Record<string, unknown>
  error?: { code: number; message: string }
}

export function initializeBody(id: number): string {
  return JSON.stringify({
    jsonrpc: '2.0',
    id,
    method: 'initialize',
    params: {
      protocolVersion: PROTOCOL_VERSION,
      capabilities: {},
      clientInfo: { name: 'proxmcp-bench', version: '1.0.0' },
    },
  })
}

export function requestBody(id: number, method: string, params: Record<string, unknown> = {}): string {
  return JSON.stringify({ jsonrpc: '2.0', id, method, params })
}

export const INITIALIZED_BODY = JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' })

/**
 * The answer to request `id` in a Streamable HTTP response: a JSON body, or an SSE stream whose
 * `data:` lines carry JSON-RPC messages (notifications before the answer are skipped).
 */
export async function readAnswer(response: Response, id: number): Promise<JsonRpcAnswer> {
  const text = await response.text()
  if (!(response.headers.get('content-type') ?? '').includes('text/event-stream')) {
    return JSON.parse(text) as JsonRpcAnswer
  }
  for (const line of text.split('\n')) {
    // Priming events (for resumability) carry an empty data line.
    const data = line.startsWith('data:') ? line.slice(5).trim() : ''
    if (!data) continue
    const message = JSON.parse(data) as JsonRpcAnswer
    if (message.id === id) return message
  }
  throw new Error(`no answer to request ${id} in the event stream (HTTP ${response.status})`)
}
