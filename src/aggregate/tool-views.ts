import type { ProxMCPContext, ProxMCPTool } from '../plugins/types.ts'
import type { JsonObject } from '../upstream/link.ts'
import type { Upstream } from '../upstream/upstream.ts'
import type { ToolIndex } from './tool-index.ts'

/** Where a name the client sees really lives. */
export interface Route {
  upstream: Upstream
  /** The name as the upstream knows it. */
  name: string
}

/** The tools one client may see, and where each of their names routes. */
export interface ToolView {
  tools: JsonObject[]
  routes: Map<string, Route>
  /** With tool search on: what this client lists, and its search index, made when first needed. */
  listed?: JsonObject[]
  index?: ToolIndex
}

export type ToolFilter = (tools: ProxMCPTool[], ctx: ProxMCPContext | undefined) => ProxMCPTool[]

/** Identities whose views are kept; JWT subjects are unbounded in number. */
const MAX_CACHED_VIEWS = 1_000

/** Carried by every tool handed to plugins, so a renamed tool still routes to its origin. */
const ORIGIN = Symbol('proxmcp.origin')
type RoutedTool = ProxMCPTool & { [ORIGIN]: Route }

/**
 * The merged tool list as plugins filter it (deny, rename, per-identity access), computed once
 * per identity and kept until the catalog changes.
 */
export class ToolViews {
  private candidates: RoutedTool[] = []
  private readonly cache = new Map<string, ToolView>()

  constructor(private readonly filter?: ToolFilter) {}

  reset(tools: JsonObject[], routeOf: (exposedName: string) => Route): void {
    this.cache.clear()
    this.candidates = tools.map((tool) => {
      const route = routeOf(tool.name as string)
      return { ...(tool as unknown as ProxMCPTool), upstream: route.upstream.id, [ORIGIN]: route }
    })
  }

  /** Whether the merged list, before any filter, has a tool of this name. */
  offers(name: string): boolean {
    return this.candidates.some((tool) => tool.name === name)
  }

  viewFor(ctx: ProxMCPContext | undefined): ToolView {
    const key = this.filter ? (ctx?.identity ?? '') : ''
    let view = this.cache.get(key)
    if (view) {
      // Most recently used last: the first key is the one to evict.
      this.cache.delete(key)
    } else {
      view = toView((this.filter?.(this.candidates, ctx) ?? this.candidates) as RoutedTool[])
      if (this.cache.size >= MAX_CACHED_VIEWS) this.cache.delete(this.cache.keys().next().value as string)
    }
    this.cache.set(key, view)
    return view
  }
}

function toView(filtered: RoutedTool[]): ToolView {
  const view: ToolView = { tools: [], routes: new Map() }
  for (const tool of filtered) {
    const origin = tool[ORIGIN]
    if (!origin || view.routes.has(tool.name)) continue
    view.routes.set(tool.name, origin)
    const { upstream: _upstream, ...exposed } = tool
    view.tools.push(exposed)
  }
  return view
}
