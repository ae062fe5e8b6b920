import { afterEach, expect, test } from 'bun:test'
import { gunzipSync } from 'node:zlib'
import { OTLPExporterError } from '@opentelemetry/otlp-exporter-base'
import { convertLegacyHttpOptions } from '@opentelemetry/otlp-exporter-base/node-http'
import { fetchTransport } from '../../../src/tracing/fetch-transport.ts'

interface Received {
  headers: Headers
  body: Uint8Array
}

/** A loopback collector that answers each export as `answer` says, and keeps what it got. */
function collector(answer: (attempt: number) => Response | Promise<Response>) {
  const received: Received[] = []
  const server = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    async fetch(request) {
      received.push({ headers: request.headers, body: new Uint8Array(await request.arrayBuffer()) })
      return answer(received.length)
    },
  })
  stops.push(() => server.stop(true))
  return { url: `http://127.0.0.1:${server.port}/v1/traces`, received }
}

const stops: (() => void)[] = []
afterEach(() => {
  for (const stop of stops.splice(0)) stop()
})

/** The exporter's configuration as the SDK builds it from the options and the environment. */
function configFor(url: string, env: Record<string, string> = {}) {
  const saved = Object.keys(env).map((name) => [name, process.env[name]] as const)
  Object.assign(process.env, env)
  try {
    return convertLegacyHttpOptions({ url }, 'TRACES', 'v1/traces', {
      'Content-Type': 'application/x-protobuf',
    })
  } finally {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name]
      else process.env[name] = value
    }
  }
}

const spans = new Uint8Array([10, 3, 1, 2, 3])

test('the configured headers and gzip reach the collector, with the bytes unchanged', async () => {
  const { url, received } = collector(() => new Response(null, { status: 200 }))
  const config = configFor(url, {
    OTEL_EXPORTER_OTLP_HEADERS: 'x-team=gateway,authorization=Bearer%20s3cret',
    OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'x-team=tracing',
    OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip',
  })
  const result = await fetchTransport(config).send(spans, 5_000)
  expect(result.status).toBe('success')
  const [got] = received
  expect(got?.headers.get('x-team')).toBe('tracing')
  expect(got?.headers.get('authorization')).toBe('Bearer s3cret')
  expect(got?.headers.get('content-type')).toBe('application/x-protobuf')
  expect(got?.headers.get('content-encoding')).toBe('gzip')
  expect(new Uint8Array(gunzipSync(got?.body ?? new Uint8Array()))).toEqual(spans)
})

test('a collector that is busy (503, 429) is tried again, after the time its Retry-After gives', async () => {
  const { url, received } = collector((attempt) =>
    attempt === 1
      ? new Response('busy', { status: 503, headers: { 'retry-after': '0' } })
      : attempt === 2
        ? new Response('slow down', { status: 429 })
        : new Response(null, { status: 200 }),
  )
  const started = performance.now()
  const result = await fetchTransport(configFor(url)).send(spans, 10_000)
  expect(result.status).toBe('success')
  expect(received.map((got) => got.body)).toEqual([spans, spans, spans])
  // Retry-After: 0 at once; the 429 without one after the SDK's first backoff (1 s ± 20%).
  expect(performance.now() - started).toBeGreaterThan(700)
})

test('a refusal is not tried again, and keeps its status and text for the loss report', async () => {
  const { url, received } = collector(() => new Response('span too large', { status: 400 }))
  const result = await fetchTransport(configFor(url)).send(spans, 5_000)
  expect(received).toHaveLength(1)
  expect(result.status).toBe('failure')
  const error = (result as { error: OTLPExporterError }).error
  expect(error).toBeInstanceOf(OTLPExporterError)
  expect(error.code).toBe(400)
  expect(error.data).toBe('span too large')
})

test('a collector that never answers, or is not there, ends the export by its timeout', async () => {
  const { url } = collector(() => new Promise<Response>(() => {}))
  for (const target of [url, 'http://127.0.0.1:9/v1/traces']) {
    const started = performance.now()
    const result = await fetchTransport(configFor(target)).send(spans, 400)
    expect(result.status).toBe('retryable')
    expect(performance.now() - started).toBeLessThan(2_000)
  }
})

test('a collector still busy after the last attempt that fits the timeout leaves its status for the loss report', async () => {
  const { url, received } = collector(() => new Response('overloaded', { status: 503 }))
  const result = await fetchTransport(configFor(url)).send(spans, 1_500)
  // At once, then after about 1 s; the next backoff (1.5 s) no longer fits.
  expect(received.length).toBe(2)
  expect(result.status).toBe('retryable')
  expect((result as { error?: OTLPExporterError }).error?.code).toBe(503)
})
