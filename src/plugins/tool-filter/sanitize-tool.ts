import type { ProxMCPTool } from '../types.ts'
import { sanitizeText } from './sanitize-text.ts'

/** Fields a model reads as prose, wherever they appear in a tool. */
const PROSE_KEYS = new Set(['description', 'title'])

/** Deeper than any real schema; beyond it a subtree is dropped rather than passed unread. */
const MAX_DEPTH = 64

/**
 * A copy of a tool with every `description` and `title` sanitized: the tool's own, its
 * annotations', and those of its input and output schemas at any depth. The copy is spread from
 * the original, so it keeps routing to the tool's upstream.
 */
export function sanitizeTool(tool: ProxMCPTool): ProxMCPTool {
  const sanitized: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(tool)) {
    if (key !== 'name' && key !== 'upstream') sanitized[key] = sanitizeField(key, value, 0)
  }
  return { ...tool, ...sanitized }
}

function sanitizeField(key: string, value: unknown, depth: number): unknown {
  if (typeof value === 'string') return PROSE_KEYS.has(key) ? sanitizeText(value) : value
  if (typeof value !== 'object' || value === null) return value
  if (depth >= MAX_DEPTH) return {}
  if (Array.isArray(value)) return value.map((item) => sanitizeField('', item, depth + 1))
  return Object.fromEntries(
    Object.entries(value).map(([name, item]) => [name, sanitizeField(name, item, depth + 1)]),
  )
}
