import type { RunningFixture } from '../fixtures/v1-server.ts'

export interface UpstreamHopOptions {
  /** How long each `initialize` is held, as by a server that starts work per session. */
  initializeDelayMs?: number
  /** Sees each POST's body as sent, and the upstream's answer. */
  onPost?: (body: string, request: Request, answer: Response) => void
}

/** A loopback HTTP hop in front of `upstream`, which a test can slow down or watch. */
export function upstreamHop(upstream: RunningFixture, options: UpstreamHopOptions) {
  const server = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    idleTimeout: 0,
    async fetch(request) {
      const body = request.method === 'POST' ? await request.text() : undefined
      if (options.initializeDelayMs && body?.includes('"initialize"'))
        await Bun.sleep(options.initializeDelayMs)
      const headers = new Headers(request.headers)
      headers.delete('host')
      headers.delete('content-length')
      const answer = await fetch(upstream.url, {
        method: request.method,
        headers,
        body,
        signal: request.signal,
      })
      if (body !== undefined) options.onPost?.(body, request, answer)
      return new Response(answer.body, { status: answer.status, headers: answer.headers })
    },
  })
  return { url: `http://127.0.0.1:${server.port}/mcp`, stop: () => server.stop(true) }
}

/** The upstream, with each `initialize` held for `delayMs`: a proxy opening an upstream session waits that long. */
export function slowToInitialize(upstream: RunningFixture, delayMs: number) {
  return upstreamHop(upstream, { initializeDelayMs: delayMs })
}
