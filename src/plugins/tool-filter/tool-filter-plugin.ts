import { globMatcher } from '../glob.ts'
import type { ProxMCPPlugin, ProxMCPTool } from '../types.ts'
import { sanitizeTool } from './sanitize-tool.ts'

export interface ToolFilterOptions {
  /** Only tools matching one of these names or globs (`*`, `?`) are exposed. Default: all. */
  allow?: string[]
  /** Tools matching one of these names or globs are hidden; deny wins over allow. */
  deny?: string[]
  /** Old name → new name. The old name is gone; calls to the new one reach the original tool. */
  rename?: Record<string, string>
  /** Exposed name (after rename) → description replacing the upstream's. Not sanitized: it is yours. */
  descriptions?: Record<string, string>
  /** Strip prompt-injection patterns from upstream descriptions and schema texts (see `sanitizeText`). */
  sanitizeDescriptions?: boolean
}

/**
 * Shapes the tool list every client sees, in this order: allow and deny (by the names the
 * upstreams expose, namespaced if `namespace` is on), rename, sanitize, replace descriptions.
 * It runs as `filterTools`, so calls obey it too: a hidden tool, or a renamed tool's old name, is
 * an "Unknown tool". Renaming onto a name another tool already has leaves the first in list order.
 *
 * @example
 * ```ts
 * toolFilterPlugin({
 *   deny: ['delete_*', 'drop_database'],
 *   rename: { read_file: 'get_file' },
 *   descriptions: { get_file: 'Reads a UTF-8 file below /srv/data.' },
 *   sanitizeDescriptions: true,
 * })
 * ```
 */
export function toolFilterPlugin(options: ToolFilterOptions): ProxMCPPlugin {
  const allowed = options.allow ? globMatcher(options.allow) : () => true
  const denied = globMatcher(options.deny ?? [])
  const renames = renameMap(options.rename ?? {})
  const descriptions = new Map(Object.entries(options.descriptions ?? {}))
  const reshape = (tool: ProxMCPTool): ProxMCPTool => {
    const name = renames.get(tool.name) ?? tool.name
    const description = descriptions.get(name)
    const shaped = options.sanitizeDescriptions ? sanitizeTool(tool) : tool
    return { ...shaped, name, ...(description !== undefined && { description }) }
  }
  return {
    name: 'tool-filter',
    filterTools: (tools) => tools.filter((tool) => allowed(tool.name) && !denied(tool.name)).map(reshape),
  }
}

function renameMap(rename: Record<string, string>): Map<string, string> {
  const targets = new Set<string>()
  for (const [from, to] of Object.entries(rename)) {
    if (!to) throw new Error(`toolFilterPlugin: rename of '${from}' has an empty new name`)
    if (targets.has(to)) throw new Error(`toolFilterPlugin: two tools are renamed to '${to}'`)
    targets.add(to)
  }
  return new Map(Object.entries(rename))
}
