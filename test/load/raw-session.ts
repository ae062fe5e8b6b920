/** A 2025-era session and a 2026-07-28 request by raw fetch, as cheap as a client can make them. */

const JSON_AND_SSE = 'application/json, text/event-stream'
const HEADERS = { 'content-type': 'application/json', accept: JSON_AND_SSE }

export const MODERN_ENVELOPE = {
  'io.modelcontextprotocol/protocolVersion': '2026-07-28',
  'io.modelcontextprotocol/clientInfo': { name: 'load', version: '1' },
  'io.modelcontextprotocol/clientCapabilities': {},
}

async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { ...HEADERS, ...headers },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  })
  await response.text()
  if (response.status >= 300) throw new Error(`POST answered ${response.status}`)
  return response
}

/** initialize + notifications/initialized; returns the session id. */
export async function openSession(url: string, index: number): Promise<string> {
  const response = await post(url, {
    jsonrpc: '2.0',
    id: 1,
    method: 'initialize',
    params: {
      protocolVersion: '2025-11-25',
      capabilities: {},
      clientInfo: { name: `load-${index}`, version: '1' },
    },
  })
  const sessionId = response.headers.get('mcp-session-id')
  if (!sessionId) throw new Error('initialize answered without a session id')
  await post(url, { jsonrpc: '2.0', method: 'notifications/initialized' }, { 'mcp-session-id': sessionId })
  return sessionId
}

/** tools/call echo in the session; checks the answer carries the text back. */
/** tools/call `echo` in a session, as sent: its HTTP status and body, whatever they are. */
export async function postEcho(
  url: string,
  sessionId: string,
  text: string,
  timeoutMs = 30_000,
): Promise<{ status: number; body: string }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { ...HEADERS, 'mcp-session-id': sessionId },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 2,
      method: 'tools/call',
      params: { name: 'echo', arguments: { text } },
    }),
    signal: AbortSignal.timeout(timeoutMs),
  })
  return { status: response.status, body: await response.text() }
}

export async function callEcho(url: string, sessionId: string, text: string): Promise<void> {
  const { status, body } = await postEcho(url, sessionId, text)
  if (!body.includes(`alpha:${text}`)) throw new Error(`echo answered ${status}: ${body.slice(0, 200)}`)
}

export async function deleteSession(url: string, sessionId: string): Promise<void> {
  const response = await fetch(url, {
    method: 'DELETE',
    headers: { 'mcp-session-id': sessionId },
    signal: AbortSignal.timeout(30_000),
  })
  await response.text()
  if (response.status !== 200) throw new Error(`DELETE answered ${response.status}`)
}

/** One sessionless 2026-07-28 request: tools/list, or tools/call echo on odd indexes. */
export async function modernRequest(url: string, index: number): Promise<void> {
  const call = index % 2 === 1
  const method = call ? 'tools/call' : 'tools/list'
  const params = call
    ? { name: 'echo', arguments: { text: `m${index}` }, _meta: MODERN_ENVELOPE }
    : { _meta: MODERN_ENVELOPE }
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      ...HEADERS,
      'mcp-protocol-version': '2026-07-28',
      'mcp-method': method,
      ...(call && { 'mcp-name': 'echo' }),
    },
    body: JSON.stringify({ jsonrpc: '2.0', id: index, method, params }),
    signal: AbortSignal.timeout(30_000),
  })
  const body = await response.text()
  const expected = call ? `alpha:m${index}` : '"echo"'
  if (!body.includes(expected))
    throw new Error(`${method} answered ${response.status}: ${body.slice(0, 200)}`)
}
