import type { JsonObject } from '../upstream/link.ts'
import type { Upstream } from '../upstream/upstream.ts'
import type { ToolView } from './tool-views.ts'

/** What became of one tool an upstream lists, for people: the status page. */
export interface ToolReport {
  /** The name clients see it under (or would, had it not been hidden). */
  name: string
  upstream: string
  /** The name the upstream gave it. */
  original: string
  /** Whether clients with no identity see it. */
  shown: boolean
  /** `renamed`, `filtered` (hidden by a plugin), `conflict` (its name clashes), `sanitized` (description changed). */
  marks: ('renamed' | 'filtered' | 'conflict' | 'sanitized')[]
  /** For a clash: the upstream that has the name when this one lost it, or the one it won over. */
  conflictWith?: string
}

/**
 * Every tool of every upstream, in config order, set against the merged view a client with no
 * identity gets: the upstream listed first keeps a clashing name, plugins may hide, rename or
 * rewrite the rest.
 */
export function reportTools(
  upstreams: Upstream[],
  exposedName: (upstream: Upstream, name: string) => string,
  view: ToolView,
): ToolReport[] {
  const shownAs = new Map<string, string>()
  for (const [exposed, route] of view.routes) shownAs.set(`${route.upstream.id}\u0000${route.name}`, exposed)
  const shownTools = new Map(view.tools.map((tool) => [tool.name as string, tool]))
  const owners = new Map<string, string>()
  const reports: ToolReport[] = []
  for (const upstream of upstreams) {
    for (const tool of upstream.catalog.tools) {
      if (typeof tool.name !== 'string') continue
      const candidate = exposedName(upstream, tool.name)
      const owner = owners.get(candidate)
      if (!owner) owners.set(candidate, upstream.id)
      const shown = shownAs.get(`${upstream.id}\u0000${tool.name}`)
      reports.push({
        name: shown ?? candidate,
        upstream: upstream.id,
        original: tool.name,
        shown: shown !== undefined,
        marks: marksOf(tool, shown, candidate, shownTools.get(shown ?? ''), owner !== undefined),
        ...(owner && { conflictWith: owner }),
      })
    }
  }
  for (const report of reports) {
    const loser = reports.find(
      (other) => other.conflictWith === report.upstream && other.original === report.original,
    )
    if (!report.conflictWith && loser) {
      report.marks.push('conflict')
      report.conflictWith = loser.upstream
    }
  }
  return reports
}

function marksOf(
  tool: JsonObject,
  shown: string | undefined,
  candidate: string,
  shownTool: JsonObject | undefined,
  lost: boolean,
): ToolReport['marks'] {
  if (lost) return ['conflict']
  const marks: ToolReport['marks'] = []
  if (!shown) marks.push('filtered')
  else if (shown !== candidate) marks.push('renamed')
  if (shownTool && shownTool.description !== tool.description) marks.push('sanitized')
  return marks
}
