import {
  INITIALIZED_BODY,
  initializeBody,
  MCP_ACCEPT,
  PROTOCOL_VERSION,
  readAnswer,
  requestBody,
} from './json-rpc.ts'
import type { Session } from './session.ts'

/**
 * A 2025-era Streamable HTTP session on bare `fetch`: initialize, then requests carrying the
 * session id, so the load generator costs as little as an MCP client can.
 */
export async function openRawSession(
  url: string,
  credentials: Record<string, string> = {},
): Promise<Session> {
  const post = (body: string, sessionId?: string) =>
    fetch(url, {
      method: 'POST',
      headers: {
        ...credentials,
        'content-type': 'application/json',
        accept: MCP_ACCEPT,
        ...(sessionId && { 'mcp-session-id': sessionId, 'mcp-protocol-version': PROTOCOL_VERSION }),
      },
      body,
    })
  const init = await post(initializeBody(0))
  const initAnswer = await readAnswer(init, 0)
  if (!init.ok || initAnswer.error) throw new Error(`initialize failed: HTTP ${init.status}`)
  const sessionId = init.headers.get('mcp-session-id') ?? undefined
  const initialized = await post(INITIALIZED_BODY, sessionId)
  await initialized.arrayBuffer()
  let nextId = 1
  return {
    async request(method, params) {
      const id = nextId++
      const response = await post(requestBody(id, method, params), sessionId)
      const answer = await readAnswer(response, id)
      if (answer.error) throw new Error(`${method}: ${answer.error.code} ${answer.error.message}`)
      if (!answer.result) throw new Error(`${method}: HTTP ${response.status} without a result`)
      return answer.result
    },
    async close() {
      if (!sessionId) return
      const response = await fetch(url, {
        method: 'DELETE',
        headers: { ...credentials, 'mcp-session-id': sessionId, 'mcp-protocol-version': PROTOCOL_VERSION },
      }).catch(() => undefined)
      await response?.arrayBuffer()
    },
  }
}
