import { proxyErrors } from '../../errors.ts'
import type { ProxMCPPlugin, ProxMCPResult } from '../types.ts'
import { BUILT_IN, type Detector } from './detectors.ts'

export interface RedactOptions {
  /** Mask e-mail addresses (default true). */
  emails?: boolean
  /** Mask bearer tokens, JWTs and API keys of known shapes (default true). */
  tokens?: boolean
  /** Mask payment card numbers that pass the Luhn check (default true). */
  cards?: boolean
  /** More things to mask, by name: `{ 'employee id': /\bEMP-\d{6}\b/ }`. */
  patterns?: Record<string, RegExp>
  /** Fail the call, rather than mask, when a result matches one of these (checked before masking). */
  blockOn?: Record<string, RegExp>
  /** What replaces a match (default `[redacted: <name>]`). */
  replacement?: (name: string) => string
}

/** Fields that carry no text a person reads: binary data, types, addresses. */
const NOT_TEXT = new Set(['blob', 'data', 'mimeType', 'type', 'uri', 'resultType', '_meta'])

/**
 * Masks secrets and personal data in what upstreams return: the text of tool results (and their
 * structured content), resource contents and prompt messages, before any client sees them. It
 * recognises shapes, not meaning: a secret with no known shape passes, and a number that passes
 * the Luhn check is masked as a card. Binary contents (images, blobs) are not inspected.
 *
 * @example
 * ```ts
 * redactPlugin({ patterns: { 'employee id': /\bEMP-\d{6}\b/ }, blockOn: { 'private key': /-----BEGIN [A-Z ]*PRIVATE KEY-----/ } })
 * ```
 */
export function redactPlugin(options: RedactOptions = {}): ProxMCPPlugin {
  const detectors = [
    ...(options.emails === false ? [] : BUILT_IN.emails),
    ...(options.tokens === false ? [] : BUILT_IN.tokens),
    ...(options.cards === false ? [] : BUILT_IN.cards),
    ...Object.entries(options.patterns ?? {}).map(([name, pattern]) => ({ name, pattern: global(pattern) })),
  ]
  const blockers = Object.entries(options.blockOn ?? {}).map(([name, pattern]) => ({
    name,
    pattern: global(pattern),
  }))
  const replacement = options.replacement ?? ((name: string) => `[redacted: ${name}]`)
  return {
    name: 'redact',
    onResult(ctx, result) {
      const blocked = blockers.find(({ pattern }) => someText(result, (text) => matches(pattern, text)))
      if (blocked) throw proxyErrors.resultBlocked('redact', blocked.name, ctx.upstream)
      return mapText(result, (text) => mask(text, detectors, replacement)) as ProxMCPResult
    },
  }
}

function mask(text: string, detectors: Detector[], replacement: (name: string) => string): string {
  let masked = text
  for (const { name, pattern, confirm } of detectors) {
    masked = masked.replace(pattern, (match) => (confirm && !confirm(match) ? match : replacement(name)))
  }
  return masked
}

function mapText(value: unknown, change: (text: string) => string): unknown {
  if (typeof value === 'string') return change(value)
  if (Array.isArray(value)) return value.map((item) => mapText(item, change))
  if (typeof value !== 'object' || value === null) return value
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [key, NOT_TEXT.has(key) ? inner : mapText(inner, change)]),
  )
}

function someText(value: unknown, test: (text: string) => boolean): boolean {
  let found = false
  mapText(value, (text) => {
    found ||= test(text)
    return text
  })
  return found
}

function matches(pattern: RegExp, text: string): boolean {
  pattern.lastIndex = 0
  return pattern.test(text)
}

function global(pattern: RegExp): RegExp {
  return pattern.global ? pattern : new RegExp(pattern.source, `${pattern.flags}g`)
}
