import {
  type ExportResponse,
  type IExporterTransport,
  OTLPExporterError,
  type OtlpSharedConfiguration,
} from '@opentelemetry/otlp-exporter-base'
import { VERSION } from '../version.ts'

export interface FetchTransportConfig extends Pick<OtlpSharedConfiguration, 'compression'> {
  url: string
  /** The exporter's headers: `OTEL_EXPORTER_OTLP_(TRACES_)HEADERS` and the options', as the SDK merged them. */
  headers: () => Promise<Record<string, string>>
}

/** A collector's answer is read up to this size, as the SDK's node:http transport reads it. */
const MAX_ANSWER_BYTES = 4 * 1024 * 1024
const RETRYABLE_STATUS = new Set([429, 502, 503, 504])
/** The SDK's retry policy: 5 more attempts, 1 s apart growing by 1.5× up to 5 s, ±20% jitter, all within the export's timeout. */
const RETRIES = 5
const FIRST_BACKOFF_MS = 1_000
const MAX_BACKOFF_MS = 5_000

/**
 * OTLP/HTTP over `fetch`, with the SDK's retries. Under Bun, node:http is JavaScript written over
 * Bun's own fetch: an export through it ran a few hundred functions that stayed cold, and cost the
 * proxy more CPU per traced request than writing the spans did.
 */
export function fetchTransport(config: FetchTransportConfig): IExporterTransport {
  const once = (data: Uint8Array, timeoutMs: number) => send(config, data, timeoutMs)
  return {
    async send(data, timeoutMillis) {
      const deadline = Date.now() + timeoutMillis
      let result = await once(data, timeoutMillis)
      let backoff = FIRST_BACKOFF_MS
      for (let retry = 0; result.status === 'retryable' && retry < RETRIES; retry++) {
        const wait = result.retryInMillis ?? Math.min(backoff * (0.8 + Math.random() * 0.4), MAX_BACKOFF_MS)
        backoff *= 1.5
        const left = deadline - Date.now()
        if (wait > left) break
        await new Promise((resolve) => setTimeout(resolve, Math.max(wait, 0)))
        result = await once(data, deadline - Date.now())
      }
      return result
    },
    shutdown() {},
  }
}

async function send(
  config: FetchTransportConfig,
  data: Uint8Array,
  timeoutMs: number,
): Promise<ExportResponse> {
  const headers: Record<string, string> = {
    ...(await config.headers()),
    'user-agent': `proxmcp/${VERSION}`,
  }
  const gzip = config.compression === 'gzip'
  if (gzip) headers['content-encoding'] = 'gzip'
  let response: Response
  try {
    response = await fetch(config.url, {
      method: 'POST',
      headers,
      body: gzip ? await gzipped(data) : (data as Uint8Array<ArrayBuffer>),
      signal: AbortSignal.timeout(Math.max(timeoutMs, 1)),
    })
  } catch (error) {
    // Refused, reset, unreachable or timed out: worth another attempt, as with the SDK.
    return { status: 'retryable', error: error as Error }
  }
  const answer = await bounded(response)
  if (response.ok) return { status: 'success', ...(answer && { data: answer }) }
  const text = answer ? new TextDecoder().decode(answer) : undefined
  const error = new OTLPExporterError(response.statusText, response.status, text)
  if (!RETRYABLE_STATUS.has(response.status)) return { status: 'failure', error }
  const retryInMillis = retryAfterMs(response.headers.get('retry-after'))
  // The error is kept so that spans lost after the last attempt are told with the collector's status.
  return { status: 'retryable', error, ...(retryInMillis !== undefined && { retryInMillis }) }
}

/** The collector's answer (a partial success names the spans it rejected), or nothing if outsized. */
async function bounded(response: Response): Promise<Uint8Array | undefined> {
  const length = Number(response.headers.get('content-length') ?? 0)
  if (length > MAX_ANSWER_BYTES) {
    await response.body?.cancel()
    return undefined
  }
  const bytes = new Uint8Array(await response.arrayBuffer().catch(() => new ArrayBuffer(0)))
  return bytes.length > 0 && bytes.length <= MAX_ANSWER_BYTES ? bytes : undefined
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
