/** A pass-through in front of an upstream that records the headers of every request it relays. */
export interface HeaderRecorder {
  url: string
  seen: Headers[]
  close(): Promise<void>
}

export function recordHeaders(upstreamUrl: string): HeaderRecorder {
  const seen: Headers[] = []
  const target = new URL(upstreamUrl)
  const http = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    idleTimeout: 0,
    async fetch(request) {
      seen.push(new Headers(request.headers))
      const url = new URL(request.url)
      const headers = new Headers(request.headers)
      headers.delete('host')
      return fetch(new URL(url.pathname + url.search, target), {
        method: request.method,
        headers,
        body: request.body,
        signal: request.signal,
      })
    },
  })
  return {
    url: `http://127.0.0.1:${http.port}${target.pathname}`,
    seen,
    close: () => http.stop(true),
  }
}
