/**
 * What every answer of the proxy must satisfy, whatever it was sent: no crash (a 5xx is only
 * acceptable for a deliberate upstream error, -32010/-32011), no hang, and JSON-RPC where the
 * body is JSON.
 */
import type { Outcome } from './exchange.ts'

/** JSON-RPC codes that make a 5xx deliberate: the upstream is unavailable or timed out. */
const UPSTREAM_ERROR_CODES = new Set([-32010, -32011])

type Json = Record<string, unknown>

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Problems with one JSON-RPC message the proxy sent; `[]` when it is well-formed. */
export function messageProblems(message: unknown): string[] {
  if (!isObject(message)) return ['a message that is not an object']
  if (message.jsonrpc !== '2.0') return ['a message without jsonrpc "2.0"']
  const isResponse = 'result' in message || 'error' in message
  if (!isResponse) {
    return typeof message.method === 'string' ? [] : ['a message that is neither a request nor a response']
  }
  const problems: string[] = []
  if ('result' in message && 'error' in message) problems.push('a response with both result and error')
  const id = message.id
  if (!('id' in message) || !(id === null || typeof id === 'string' || typeof id === 'number'))
    problems.push(`a response whose id is ${JSON.stringify(id)}`)
  if ('error' in message) {
    const error = message.error
    if (!isObject(error)) problems.push('an error that is not an object')
    else {
      if (!Number.isInteger(error.code)) problems.push(`an error code ${JSON.stringify(error.code)}`)
      if (typeof error.message !== 'string') problems.push('an error without a message string')
    }
  }
  return problems
}

/** The messages of a JSON body, or of every `data:` line of an event stream. */
function messagesOf(outcome: Outcome): { messages: unknown[]; problems: string[] } {
  if (outcome.contentType.startsWith('text/event-stream')) {
    const messages: unknown[] = []
    const problems: string[] = []
    const lines = outcome.text.split('\n').filter((line) => line.startsWith('data:'))
    for (const line of lines) {
      const data = line.slice(5).trim()
      // The legacy SSE transport's first event names the POST endpoint; it is not JSON.
      if (data.startsWith('messages?') || data === '') continue
      try {
        messages.push(JSON.parse(data))
      } catch {
        // A stream we let go of may end mid-event.
        if (!outcome.streamLeftOpen) problems.push(`an event whose data is not JSON: ${data.slice(0, 80)}`)
      }
    }
    return { messages, problems }
  }
  if (!outcome.contentType.includes('json')) return { messages: [], problems: [] }
  try {
    const body = JSON.parse(outcome.text)
    if (Array.isArray(body) && body.length === 0) return { messages: [], problems: ['an empty JSON array'] }
    return { messages: Array.isArray(body) ? body : [body], problems: [] }
  } catch {
    return {
      messages: [],
      problems: [`a JSON content type with a body that is not JSON: ${outcome.text.slice(0, 80)}`],
    }
  }
}

/** Everything wrong with one answer; `[]` when the proxy behaved. */
export function answerProblems(outcome: Outcome, limitMs: number): string[] {
  if (outcome.failure === 'timeout') return [`no complete answer within ${limitMs} ms`]
  if (outcome.failure) return [`the connection failed: ${outcome.failure}`]
  // HEAD and TRACE answers carry no body by HTTP's rules, whatever their content type says.
  const bodiless = outcome.probe.method === 'HEAD' || outcome.probe.method === 'TRACE'
  // Only the MCP endpoints owe a JSON-RPC body; /healthz and friends answer their own JSON.
  const mcpEndpoint = /^\/(mcp|sse|messages)(\?|$)/.test(outcome.probe.path)
  const { messages, problems } =
    bodiless || !mcpEndpoint ? { messages: [], problems: [] } : messagesOf(outcome)
  for (const message of messages) problems.push(...messageProblems(message))
  if (outcome.status >= 500) {
    const codes = messages.map((message) =>
      isObject(message) && isObject(message.error) ? message.error.code : undefined,
    )
    const deliberate = codes.length > 0 && codes.every((code) => UPSTREAM_ERROR_CODES.has(code as number))
    if (!deliberate)
      problems.push(`HTTP ${outcome.status} that is not an upstream error: ${outcome.text.slice(0, 120)}`)
  }
  return problems
}

/** A one-line account of a failing exchange, for the assertion message. */
export function describeOutcome(outcome: Outcome, problems: string[]): string {
  const body =
    typeof outcome.probe.body === 'string' ? outcome.probe.body : `<${outcome.probe.body?.length ?? 0} bytes>`
  return [
    `${outcome.probe.method} ${outcome.probe.path} -> ${outcome.status} ${outcome.contentType} in ${Math.round(outcome.ms)} ms`,
    `  problems: ${problems.join('; ')}`,
    `  request headers: ${JSON.stringify(headersOf(outcome.probe.headers))}`,
    `  request body: ${body.slice(0, 300)}`,
    `  answer: ${outcome.text.slice(0, 300)}`,
  ].join('\n')
}

function headersOf(headers: Headers | Record<string, string> | undefined): Record<string, string> {
  return headers instanceof Headers ? Object.fromEntries(headers.entries()) : (headers ?? {})
}
