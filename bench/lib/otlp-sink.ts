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
  const url = `http://127.0.0.1:${server.port}`
  return {
    url,
    exports: () => exports,
    /** A proxy's environment to trace to this sink: every new trace, or this share of them. */
    tracingEnv: (sampleRatio = 1): Record<string, string> => ({
      OTEL_EXPORTER_OTLP_ENDPOINT: url,
      ...(sampleRatio < 1 && {
        OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
        OTEL_TRACES_SAMPLER_ARG: String(sampleRatio),
      }),
    }),
    stop: () => server.stop(true),
  }
}
