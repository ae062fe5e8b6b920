import { BoundedMap } from '../bounded-map.ts'
import type { ProxMCPContext, ProxMCPTool } from '../plugins/types.ts'
import type { JsonObject } from '../upstream/link.ts'
import type { Upstream } from '../upstream/upstream.ts'
import { type ScopedSearch, ToolIndex } from './tool-index.ts'

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
  /** With tool search on: what this client lists, and its search, made when first needed. */
  listed?: JsonObject[]
  search?: Promise<ScopedSearch>
}

/** Whether views differ by identity (some upstream has per-identity credentials), and how one identity's merge is made where lists do too. */
export interface IdentityMode {
  perIdentity: boolean
  mergedFor?: (identity: string | undefined) => Merged
}

/** Tools merged from the upstreams, and where each exposed name routes. */
export interface Merged {
  items: JsonObject[]
  routes: Map<string, Route>
}

export type ToolFilter = (tools: ProxMCPTool[], ctx: ProxMCPContext | undefined) => ProxMCPTool[]

/** Identities whose views are kept; JWT subjects are unbounded in number. */
const MAX_CACHED_VIEWS = 1_000

/** Tool texts the shared search index may hold: a few times the catalog, however views vary it. */
const INDEX_BOUND_PER_TOOL = 4
const MIN_INDEX_BOUND = 2_000

/** The key of the proxy's own view (no request, as the status page's): no identity can be it. */
const NO_REQUEST = '\u0000'

/** Carried by every tool handed to plugins, so a renamed tool still routes to its origin. */
const ORIGIN = Symbol('proxmcp.origin')
type RoutedTool = ProxMCPTool & { [ORIGIN]: Route }

/**
 * The merged tool list as plugins filter it (deny, rename, per-identity access), computed once
 * per identity and kept until the catalog changes.
 */
export class ToolViews {
  private candidates: RoutedTool[] = []
  /** Where some upstream lists its tools per identity: the merge as one identity sees it. */
  private mergedFor: ((identity: string | undefined) => Merged) | undefined
  /** Some upstream gives each identity its own credential, and may hide its tools from those without one. */
  private perIdentity = false
  private readonly cache = new BoundedMap<string, ToolView>(MAX_CACHED_VIEWS)
  /** The tool-search index of this catalog, shared by every view. */
  private index = new ToolIndex()

  constructor(private readonly filter?: ToolFilter) {}

  reset(merged: Merged, identities: IdentityMode = { perIdentity: false }): void {
    this.cache.clear()
    this.index = new ToolIndex()
    this.candidates = candidatesOf(merged)
    this.perIdentity = identities.perIdentity
    this.mergedFor = identities.mergedFor
  }

  /** This identity's own tool list changed: its view is made again when next needed. */
  forget(identity: string): void {
    this.cache.delete(identity)
  }

  /** Whether the merged list, before any filter, has a tool of this name. */
  offers(name: string): boolean {
    return this.candidates.some((tool) => tool.name === name)
  }

  viewFor(ctx: ProxMCPContext | undefined): ToolView {
    const key = this.keyOf(ctx)
    // Set again on a hit too: the most recently used is kept longest.
    let view = this.cache.get(key)
    if (!view) {
      const visible = this.perIdentity && ctx ? this.visibleTo(ctx.identity) : this.candidates
      view = toView((this.filter?.(visible, ctx) ?? visible) as RoutedTool[])
    }
    this.cache.set(key, view)
    return view
  }

  /** Tool search over what this client may see (the catalog's one index, scoped to its view). */
  searchFor(ctx: ProxMCPContext | undefined): Promise<ScopedSearch> {
    const view = this.viewFor(ctx)
    if (!view.search) {
      // Views that rename or re-describe tools add texts of their own: past a bound, start afresh.
      if (this.index.size > Math.max(MIN_INDEX_BOUND, INDEX_BOUND_PER_TOOL * this.candidates.length))
        this.index = new ToolIndex()
      view.search = this.index.scope(view.tools)
    }
    return view.search
  }

  /** Views differ by identity only where a filter or credentials make them; the proxy's own (no request) is apart. */
  private keyOf(ctx: ProxMCPContext | undefined): string {
    if (!this.filter && !this.perIdentity) return ''
    if (!ctx) return this.perIdentity ? NO_REQUEST : ''
    return ctx.identity ?? ''
  }

  /**
   * The tools this identity may be shown: as its own lists have them where an upstream lists per
   * identity, of upstreams it has a credential for (or that do not hide from it).
   */
  private visibleTo(identity: string | undefined): RoutedTool[] {
    const personal = this.mergedFor?.(identity)
    const candidates = personal ? candidatesOf(personal) : this.candidates
    return candidates.filter((tool) => !tool[ORIGIN].upstream.credentials.hidesFrom(identity))
  }
}

function candidatesOf({ items, routes }: Merged): RoutedTool[] {
  return items.map((tool) => {
    const route = routes.get(tool.name as string) as Route
    return { ...(tool as unknown as ProxMCPTool), upstream: route.upstream.id, [ORIGIN]: route }
  })
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
