import {
  type ExportResponse,
  type IExporterTransport,
  OTLPExporterError,
  type OtlpSharedConfiguration,
} from '@opentelemetry/otlp-exporter-base'
import { readBoundedBytes } from '../bounded-body.ts'
import { VERSION } from '../version.ts'

export interface FetchTransportConfig extends Pick<OtlpSharedConfiguration, 'compression'> {
  url: string
  /** The exporter's headers: `OTEL_EXPORTER_OTLP_(TRACES_)HEADERS` and the options', as the SDK merged them. */
  headers: () => Promise<Record<string, string>>
}

/** A collector's answer is read up to this size, as the SDK's node:http transport reads it. */
const MAX_ANSWER_BYTES = 4 * 1024 * 1024
const RETRYABLE_STATUS = new Set([429, 502, 503, 504])
/** The network failures the SDK's node:http transport tries again (Bun's fetch reports the same codes). */
const RETRYABLE_NETWORK = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENOTFOUND',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'ConnectionClosed',
])
/** The SDK's retry policy: 5 more attempts, 1 s apart growing by 1.5× up to 5 s, ±20% jitter, all within the export's timeout. */
const RETRIES = 5
const FIRST_BACKOFF_MS = 1_000
const MAX_BACKOFF_MS = 5_000
/** An attempt given less time than this would only time out, and hide why the last one failed. */
const MIN_ATTEMPT_MS = 100
const USER_AGENT = `proxmcp/${VERSION} OTel-OTLP-Exporter-JavaScript`

const CERTIFICATE_VARIABLE = /^OTEL_EXPORTER_OTLP_(TRACES_)?(CERTIFICATE|CLIENT_KEY|CLIENT_CERTIFICATE)$/

/**
 * Whether spans go out over `fetch` (under Bun), rather than the SDK's node:http transport: not where
 * certificates are configured, as the SDK reads them into its node:http agent.
 */
export function prefersFetch(
  env: Record<string, string | undefined> = process.env,
  versions: { bun?: string } = process.versions,
): boolean {
  if (!versions.bun) return false
  return !Object.entries(env).some(([name, value]) => value && CERTIFICATE_VARIABLE.test(name))
}

/**
 * OTLP/HTTP over `fetch`, with the SDK's retries. Under Bun, node:http is JavaScript written over
 * Bun's own fetch: an export through it ran a few hundred functions that stayed cold, and cost the
 * proxy more CPU per traced request than writing the spans did.
 */
export function fetchTransport(config: FetchTransportConfig): IExporterTransport {
  return {
    async send(data, timeoutMillis) {
      const deadline = Date.now() + timeoutMillis
      const request = await requestOf(config, data)
      let result = await attempt(config.url, request, timeoutMillis)
      let backoff = FIRST_BACKOFF_MS
      for (let retry = 0; result.status === 'retryable' && retry < RETRIES; retry++) {
        const wait = result.retryInMillis ?? Math.min(backoff * (0.8 + Math.random() * 0.4), MAX_BACKOFF_MS)
        backoff *= 1.5
        if (deadline - Date.now() - wait < MIN_ATTEMPT_MS) break
        await new Promise((resolve) => setTimeout(resolve, Math.max(wait, 0)))
        result = await attempt(config.url, request, deadline - Date.now())
      }
      return result
    },
    shutdown() {},
  }
}

/**
 * One POST, bounded by a timer of its own: it settles when the time is up even if a connection
 * being set up ignores the abort.
 */
async function attempt(url: string, request: RequestInit, timeoutMs: number): Promise<ExportResponse> {
  const abort = new AbortController()
  let timer: ReturnType<typeof setTimeout> | undefined
  const timedOut = new Promise<ExportResponse>((resolve) => {
    timer = setTimeout(() => {
      abort.abort()
      resolve({
        status: 'retryable',
        error: new Error(`the collector did not answer within ${timeoutMs} ms`),
      })
    }, timeoutMs)
  })
  try {
    return await Promise.race([post(url, { ...request, signal: abort.signal }), timedOut])
  } finally {
    clearTimeout(timer)
  }
}

/** The export's POST, built once for all its attempts. */
async function requestOf(config: FetchTransportConfig, data: Uint8Array): Promise<RequestInit> {
  const headers = withUserAgent(await config.headers())
  const gzip = config.compression === 'gzip'
  if (gzip) headers['content-encoding'] = 'gzip'
  return {
    method: 'POST',
    headers,
    body: gzip ? await gzipped(data) : (data as Uint8Array<ArrayBuffer>),
    // As node:http: a redirect is the collector's failure, and the headers are not sent on.
    redirect: 'manual',
  }
}

async function post(url: string, request: RequestInit): Promise<ExportResponse> {
  let response: Response
  try {
    response = await fetch(url, request)
  } catch (error) {
    const code = (error as { code?: unknown }).code
    const retryable = typeof code === 'string' && RETRYABLE_NETWORK.has(code)
    return { status: retryable ? 'retryable' : 'failure', error: error as Error }
  }
  // The collector's answer (a partial success names the spans it rejected); one that broke off
  // counts as empty, as its status still tells how the export went.
  const answer = await readBoundedBytes(response.body, MAX_ANSWER_BYTES).catch(() => new Uint8Array())
  if (!answer)
    return {
      status: 'failure',
      error: new Error(`the collector answered more than ${MAX_ANSWER_BYTES} bytes`),
    }
  if (response.ok) return { status: 'success', ...(answer.length > 0 && { data: answer }) }
  const text = answer.length > 0 ? new TextDecoder().decode(answer) : undefined
  const error = new OTLPExporterError(response.statusText, response.status, text)
  if (!RETRYABLE_STATUS.has(response.status)) return { status: 'failure', error }
  const retryInMillis = retryAfterMs(response.headers.get('retry-after'))
  // The error is kept so that spans lost after the last attempt are told with the collector's status.
  return { status: 'retryable', error, ...(retryInMillis !== undefined && { retryInMillis }) }
}

/** The SDK's exporter sets its own User-Agent over any the headers give. */
function withUserAgent(configured: Record<string, string>): Record<string, string> {
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(configured))
    if (name.toLowerCase() !== 'user-agent') headers[name] = value
  headers['user-agent'] = USER_AGENT
  return headers
}

async function gzipped(data: Uint8Array): Promise<Uint8Array<ArrayBuffer>> {
  const stream = new Blob([data as Uint8Array<ArrayBuffer>])
    .stream()
    .pipeThrough(new CompressionStream('gzip'))
  return new Uint8Array(await new Response(stream).arrayBuffer())
}

/** `Retry-After` in seconds or as a date; a past or zero value means at once. */
function retryAfterMs(value: string | null): number | undefined {
  if (value === null) return undefined
  const seconds = Number.parseInt(value, 10)
  if (Number.isInteger(seconds)) return Math.max(seconds * 1000, 0)
  const at = new Date(value).getTime()
  return Number.isNaN(at) ? undefined : Math.max(at - Date.now(), 0)
}
