import { afterEach, expect, test } from 'bun:test'
import { gunzipSync } from 'node:zlib'
import { OTLPExporterError } from '@opentelemetry/otlp-exporter-base'
import { convertLegacyHttpOptions } from '@opentelemetry/otlp-exporter-base/node-http'
import { fetchTransport, prefersFetch } from '../../../src/tracing/fetch-transport.ts'

interface Received {
  headers: Headers
  body: Uint8Array
  path: string
  at: number
}

/** A loopback collector that answers each export as `answer` says, and keeps what it got. */
function collector(answer: (attempt: number) => Response | Promise<Response>) {
  const received: Received[] = []
  const server = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    async fetch(request) {
      received.push({
        headers: request.headers,
        body: new Uint8Array(await request.arrayBuffer()),
        path: new URL(request.url).pathname,
        at: performance.now(),
      })
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

test('a collector that is busy (503, 429) is tried again, at once when its Retry-After says 0, else after the backoff', async () => {
  const { url, received } = collector((attempt) =>
    attempt === 1
      ? new Response('busy', { status: 503, headers: { 'retry-after': '0' } })
      : attempt === 2
        ? new Response('slow down', { status: 429 })
        : new Response(null, { status: 200 }),
  )
  const result = await fetchTransport(configFor(url)).send(spans, 10_000)
  expect(result.status).toBe('success')
  expect(received.map((got) => got.body)).toEqual([spans, spans, spans])
  const [first, second, third] = received.map((got) => got.at) as [number, number, number]
  expect(second - first).toBeLessThan(400)
  // The 429 gave no Retry-After: the SDK's first backoff, 1 s ± 20%.
  expect(third - second).toBeGreaterThan(700)
})

test("a Retry-After longer than the time left ends the export with the collector's status", async () => {
  const { url, received } = collector(
    () => new Response('later', { status: 503, headers: { 'retry-after': '30' } }),
  )
  const result = await fetchTransport(configFor(url)).send(spans, 5_000)
  expect(received).toHaveLength(1)
  expect(result.status).toBe('retryable')
  expect((result as { error?: OTLPExporterError }).error?.code).toBe(503)
})

test("the collector's answer is passed on (a partial success), and refused past 4 MiB", async () => {
  const partial = new Uint8Array([0x0a, 0x02, 0x08, 0x01])
  const small = collector(() => new Response(partial))
  const answered = await fetchTransport(configFor(small.url)).send(spans, 5_000)
  expect(answered).toEqual({ status: 'success', data: partial })
  const chunk = new Uint8Array(1024 * 1024)
  const huge = collector(
    () =>
      new Response(
        new ReadableStream({
          pull: (controller) => controller.enqueue(chunk),
        }),
      ),
  )
  const result = await fetchTransport(configFor(huge.url)).send(spans, 5_000)
  expect(result.status).toBe('failure')
  expect((result as { error: Error }).error.message).toContain('more than 4194304 bytes')
})

test('a redirect is a failure: the spans and headers are not sent on', async () => {
  const { url, received } = collector((attempt) =>
    attempt === 1 ? Response.redirect(`${url}-elsewhere`, 307) : new Response(null, { status: 200 }),
  )
  const result = await fetchTransport(configFor(url, { OTEL_EXPORTER_OTLP_HEADERS: 'x-api-key=k' })).send(
    spans,
    5_000,
  )
  expect(result.status).toBe('failure')
  expect((result as { error: OTLPExporterError }).error.code).toBe(307)
  expect(received.map((got) => got.path)).toEqual(['/v1/traces'])
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

test('a collector that never answers, or is not there, ends the export by its timeout, with the reason', async () => {
  const { url } = collector(() => new Promise<Response>(() => {}))
  const silent = await fetchTransport(configFor(url)).send(spans, 400)
  expect(silent.status).toBe('retryable')
  const reason = (silent as { error: Error & { code?: unknown } }).error
  expect(reason.message).toBe('the collector did not answer within 400 ms')
  expect(reason.code).toBeUndefined()
  const started = performance.now()
  const absent = await fetchTransport(configFor('http://127.0.0.1:9/v1/traces')).send(spans, 400)
  expect(absent.status).toBe('retryable')
  expect((absent as { error: Error }).error.message).toContain('ECONNREFUSED')
  expect(performance.now() - started).toBeLessThan(2_000)
})

test('a request fetch refuses before sending (a header value with a line break) fails at once', async () => {
  const { url, received } = collector(() => new Response(null, { status: 200 }))
  const config = { ...configFor(url), headers: async () => ({ 'x-team': 'a\nb' }) }
  const started = performance.now()
  const result = await fetchTransport(config).send(spans, 5_000)
  expect(result.status).toBe('failure')
  expect(received).toHaveLength(0)
  expect(performance.now() - started).toBeLessThan(500)
})

test('a collector still busy after the last attempt that fits the timeout leaves its status for the loss report', async () => {
  const { url, received } = collector(() => new Response('overloaded', { status: 503 }))
  const result = await fetchTransport(configFor(url)).send(spans, 1_500)
  // At once, then after about 1 s; the next backoff (1.5 s) no longer fits.
  expect(received.length).toBe(2)
  expect(result.status).toBe('retryable')
  expect((result as { error?: OTLPExporterError }).error?.code).toBe(503)
})

const BUN = { bun: '1.4.5' }

test('fetch is used under Bun, the SDK node:http transport on Node and where a certificate is configured', () => {
  expect(prefersFetch({}, BUN)).toBe(true)
  expect(prefersFetch({}, {})).toBe(false)
  expect(prefersFetch({ OTEL_EXPORTER_OTLP_CERTIFICATE: '' }, BUN)).toBe(true)
  expect(prefersFetch({ OTEL_EXPORTER_OTLP_HEADERS: 'a=b' }, BUN)).toBe(true)
  for (const name of [
    'OTEL_EXPORTER_OTLP_CERTIFICATE',
    'OTEL_EXPORTER_OTLP_CLIENT_KEY',
    'OTEL_EXPORTER_OTLP_TRACES_CLIENT_CERTIFICATE',
  ])
    expect(prefersFetch({ [name]: '/etc/otel/ca.pem' }, BUN)).toBe(false)
})
