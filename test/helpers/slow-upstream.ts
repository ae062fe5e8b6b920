import type { RunningFixture } from '../fixtures/v1-server.ts'

/**
 * A loopback HTTP hop in front of `upstream` that holds each `initialize` for `delayMs`, as a server
 * that starts work per session does: a proxy opening an upstream session waits that long.
 */
export function slowToInitialize(upstream: RunningFixture, delayMs: number) {
  const server = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    idleTimeout: 0,
    async fetch(request) {
      const body = request.method === 'POST' ? await request.text() : undefined
      if (body?.includes('"initialize"')) await Bun.sleep(delayMs)
      const headers = new Headers(request.headers)
      headers.delete('host')
      headers.delete('content-length')
      const answer = await fetch(upstream.url, {
        method: request.method,
        headers,
        body,
        signal: request.signal,
      })
      return new Response(answer.body, { status: answer.status, headers: answer.headers })
    },
  })
  return { url: `http://127.0.0.1:${server.port}/mcp`, stop: () => server.stop(true) }
}
