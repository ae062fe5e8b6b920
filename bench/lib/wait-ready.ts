import { initializeBody, MCP_ACCEPT, PROTOCOL_VERSION } from '../load/json-rpc.ts'

/**
 * Polls `url` with an MCP `initialize` until one is answered with 200 (or 401, from a proxy that
 * wants credentials the probe does not send), and returns the time that took. Bounded by `timeoutMs`; `exited` stops the wait early when the process died.
 */
export async function waitForFirstAnswer(
  url: string,
  options: { timeoutMs: number; exited?: Promise<unknown>; intervalMs?: number },
): Promise<number> {
  const started = performance.now()
  let dead = false
  void options.exited?.then(() => {
    dead = true
  })
  const maxAttempts = Math.ceil(options.timeoutMs / (options.intervalMs ?? 1)) + 1
  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    if (dead) throw new Error(`${url}: the process exited before answering`)
    if (performance.now() - started > options.timeoutMs) break
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: MCP_ACCEPT },
        body: initializeBody(0),
      })
      await response.arrayBuffer()
      if (response.status === 200 || response.status === 401) {
        const elapsed = performance.now() - started
        await endSession(url, response.headers.get('mcp-session-id'))
        return elapsed
      }
    } catch {
      // Not listening yet.
    }
    await Bun.sleep(options.intervalMs ?? 1)
  }
  throw new Error(`${url}: no answer to initialize within ${options.timeoutMs} ms`)
}

/** Some proxies start an upstream process per session: do not leave the probe's session behind. */
async function endSession(url: string, sessionId: string | null): Promise<void> {
  if (!sessionId) return
  await fetch(url, {
    method: 'DELETE',
    headers: { 'mcp-session-id': sessionId, 'mcp-protocol-version': PROTOCOL_VERSION },
  })
    .then((response) => response.arrayBuffer())
    .catch(() => {})
}
