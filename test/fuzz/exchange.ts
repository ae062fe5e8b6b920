/** One HTTP exchange with the proxy, bounded in time, reduced to what the fuzz properties judge. */

export interface Probe {
  method: string
  /** Path and query, e.g. `/mcp` or `/messages?sessionId=x`. */
  path: string
  headers?: Headers | Record<string, string>
  body?: string | Uint8Array
  /**
   * A GET that may legitimately open a stream whose headers wait for its first event (the
   * standalone `GET /mcp` stream of a live session): no answer in time is then not a hang.
   */
  mayStayOpen?: boolean
}

export interface Outcome {
  probe: Probe
  status: number
  contentType: string
  /** The body; for an event stream left open (GET), what arrived first. */
  text: string
  ms: number
  /** Set when no complete answer came: `timeout`, or the network error. */
  failure?: string
  /** The Mcp-Session-Id the proxy handed out, if any. */
  sessionId?: string
  /** An event stream that was still open when we let go of it. */
  streamLeftOpen?: boolean
}

/** Every answer must be complete within this. */
export const ANSWER_LIMIT_MS = 5_000

const decoder = new TextDecoder()

/** Reads the first chunk of a long-lived event stream, then lets it go. */
async function firstChunk(body: ReadableStream<Uint8Array>): Promise<string> {
  const reader = body.getReader()
  try {
    const { value } = await reader.read()
    return value ? decoder.decode(value) : ''
  } finally {
    await reader.cancel().catch(() => {})
  }
}

/**
 * Sends `probe` and waits for the whole answer. An event stream answering a GET is long-lived by
 * design (`GET /sse`, the standalone `GET /mcp` stream): its first chunk is enough.
 */
export async function exchange(base: string, probe: Probe, limitMs = ANSWER_LIMIT_MS): Promise<Outcome> {
  const startedAt = performance.now()
  const canHaveBody = !['GET', 'HEAD', 'TRACE'].includes(probe.method)
  const outcome: Outcome = { probe, status: 0, contentType: '', text: '', ms: 0 }
  try {
    const response = await fetch(`${base}${probe.path}`, {
      method: probe.method,
      headers: probe.headers,
      body: canHaveBody ? (probe.body as BodyInit | undefined) : undefined,
      redirect: 'manual',
      signal: AbortSignal.timeout(limitMs),
    })
    outcome.status = response.status
    outcome.contentType = response.headers.get('content-type') ?? ''
    outcome.sessionId = response.headers.get('mcp-session-id') ?? undefined
    if (probe.method === 'GET' && outcome.contentType.startsWith('text/event-stream') && response.body) {
      outcome.text = await firstChunk(response.body)
      outcome.streamLeftOpen = true
    } else {
      outcome.text = await response.text()
    }
  } catch (error) {
    const name = (error as Error).name
    const timedOut = name === 'TimeoutError' || name === 'AbortError'
    if (timedOut && probe.mayStayOpen) outcome.streamLeftOpen = true
    else outcome.failure = timedOut ? 'timeout' : String(error)
  }
  outcome.ms = performance.now() - startedAt
  return outcome
}
