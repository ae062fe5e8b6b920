/** An OTLP/HTTP collector that takes every export and keeps nothing: the proxy's cost, not a collector's. */
export function otlpSink() {
  let exports = 0
  const server = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    async fetch(request) {
      await request.arrayBuffer()
      exports++
      return Response.json({})
    },
  })
  return { url: `http://127.0.0.1:${server.port}`, exports: () => exports, stop: () => server.stop(true) }
}
