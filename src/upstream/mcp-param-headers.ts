import type { JsonObject } from './link.ts'

/**
 * SEP-2243 (2026-07-28): a tool argument whose schema property carries `x-mcp-header: Name` travels
 * twice, in the body and in an `Mcp-Param-Name` HTTP header. The SDK mirrors and checks these only
 * for `callTool` and for tools an `McpServer` registered itself; the proxy forwards with
 * `request()` from a low-level `Server`, so it does both here.
 */

const PREFIX = 'Mcp-Param-'
const SENTINEL_START = '=?base64?'
const SENTINEL_END = '?='
const CANONICAL_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/

interface Declaration {
  path: string[]
  header: string
  numeric: boolean
}

/** The header declarations of a tool's input schema, reachable through `properties` only. */
function declarationsOf(inputSchema: unknown): Declaration[] {
  const found: Declaration[] = []
  const visit = (node: unknown, path: string[]) => {
    if (typeof node !== 'object' || node === null) return
    const schema = node as JsonObject
    const header = schema['x-mcp-header']
    if (path.length > 0 && typeof header === 'string' && header !== '') {
      found.push({ path, header, numeric: schema.type === 'integer' || schema.type === 'number' })
    }
    const properties = schema.properties
    if (typeof properties !== 'object' || properties === null) return
    for (const [key, child] of Object.entries(properties)) visit(child, [...path, key])
  }
  visit(inputSchema, [])
  return found
}

function argumentAt(args: unknown, path: string[]): unknown {
  let node = args
  for (const key of path)
    node = typeof node === 'object' && node !== null ? (node as JsonObject)[key] : undefined
  return node
}

/** A number's header compares numerically when written as a plain decimal, otherwise as text (the SDK's rule). */
const PLAIN_DECIMAL = /^-?\d+(\.\d+)?$/

/**
 * The header text of a primitive argument; undefined for null, absent and non-primitive values,
 * and for an integer beyond 2^53, for which the SDK sends no header (its text would not be exact).
 */
function textOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value
  if (typeof value === 'boolean') return String(value)
  if (typeof value !== 'number' || !Number.isFinite(value)) return undefined
  return Number.isInteger(value) && !Number.isSafeInteger(value) ? undefined : String(value)
}

function encode(text: string): string {
  const plain =
    text !== '' &&
    text === text.trim() &&
    !(text.startsWith(SENTINEL_START) && text.endsWith(SENTINEL_END)) &&
    [...text].every((char) => char === '\t' || (char >= ' ' && char <= '~'))
  if (plain) return text
  const bytes = new TextEncoder().encode(text)
  return `${SENTINEL_START}${btoa(String.fromCharCode(...bytes))}${SENTINEL_END}`
}

function decode(value: string): string | undefined {
  if (!(value.startsWith(SENTINEL_START) && value.endsWith(SENTINEL_END))) return value
  const base64 = value.slice(SENTINEL_START.length, -SENTINEL_END.length)
  if (!CANONICAL_BASE64.test(base64)) return undefined
  try {
    const bytes = Uint8Array.from(atob(base64), (char) => char.charCodeAt(0))
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    return undefined
  }
}

/** The `Mcp-Param-*` headers an upstream expects with a call of this tool. */
export function mcpParamHeaders(inputSchema: unknown, args: unknown): Record<string, string> {
  const headers: Record<string, string> = {}
  for (const { path, header } of declarationsOf(inputSchema)) {
    const text = textOf(argumentAt(args, path))
    if (text !== undefined) headers[`${PREFIX}${header}`] = encode(text)
  }
  return headers
}

/** Why a call's `Mcp-Param-*` headers disagree with its arguments, or undefined when they agree. */
export function mcpParamMismatch(inputSchema: unknown, args: unknown, headers: Headers): string | undefined {
  for (const { path, header, numeric } of declarationsOf(inputSchema)) {
    const value = argumentAt(args, path)
    const text = textOf(value)
    if (text === undefined) continue
    const name = `${PREFIX}${header}`
    const received = headers.get(name)
    if (received === null) return `the body carries ${path.join('.')} but the ${name} header is absent`
    const decoded = decode(received)
    if (decoded === undefined) return `the ${name} header carries an invalid Base64 value`
    const same =
      numeric && typeof value === 'number' && PLAIN_DECIMAL.test(decoded)
        ? Number(decoded) === value
        : decoded === text
    if (!same) return `the ${name} header does not match ${path.join('.')} in the body`
  }
  return undefined
}
