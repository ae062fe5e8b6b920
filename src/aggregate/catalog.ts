import type { Logger } from '../logger.ts'
import type { ProxMCPContext } from '../plugins/types.ts'
import type { JsonObject } from '../upstream/link.ts'
import type { Upstream } from '../upstream/upstream.ts'
import { reportTools, type ToolReport } from './catalog-report.ts'
import { isMetaTool, listedTools, searchTools, type ToolSearchOptions } from './tool-search.ts'
import { type Merged, type Route, type ToolFilter, ToolViews } from './tool-views.ts'
import { compileUriTemplate } from './uri-template.ts'

export type { Route, ToolReport }

export interface CatalogOptions {
  /** Expose names as `<upstreamId>__<name>` instead of unchanged. */
  namespace: boolean
  logger: Logger
  filterTools?: ToolFilter
  /** Lists meta-tools that search and call the catalog instead of the catalog itself. */
  toolSearch?: ToolSearchOptions
}

const SEPARATOR = '__'

/**
 * The merged view of every upstream's tools, prompts, resources and templates, and the routing
 * table behind it. Names clash deterministically: the upstream listed first in the config wins.
 */
export class Catalog {
  prompts: JsonObject[] = []
  resources: JsonObject[] = []
  resourceTemplates: JsonObject[] = []
  private readonly toolViews: ToolViews
  /** The upstreams that list tools per identity, as of the last rebuild. */
  private listingPerIdentity: Upstream[] = []
  private promptRoutes = new Map<string, Route>()
  private resourceRoutes = new Map<string, Upstream>()
  private templateRoutes: { match: (uri: string) => boolean; template: string; upstream: Upstream }[] = []
  private readonly warned = new Set<string>()
  private readonly conflicts = new Map<
    string,
    { kind: string; winner: string; loser: string; names: string[] }
  >()

  constructor(
    /** The upstreams merged, in config order: all of them, or a virtual server's. */
    private readonly upstreamsOf: () => Upstream[],
    private options: CatalogOptions,
  ) {
    this.toolViews = new ToolViews(options.filterTools)
  }

  /**
   * Before a request that lists or calls tools: where an upstream lists different tools to
   * different users, this client's own list is read when stale (a change reaches `forget`).
   */
  prepare(ctx: ProxMCPContext): Promise<unknown> | undefined {
    const { identity } = ctx
    if (identity === undefined || this.listingPerIdentity.length === 0) return undefined
    const personal = this.listingPerIdentity.filter(
      (upstream) => upstream.state === 'up' && upstream.credentials.covers(identity),
    )
    return Promise.all(
      personal.map((upstream) => upstream.identityTools?.refresh(upstream.credentials.of(identity))),
    )
  }

  /** This identity's own tool list changed upstream: its view is made again when next needed. */
  forget(identity: string): void {
    this.toolViews.forget(identity)
  }

  /** Recomputes the merged lists from what each upstream currently lists. */
  rebuild(): void {
    this.rebuildTools()
    const prompts = this.merge('prompt', (upstream) => upstream.catalog.prompts)
    this.prompts = prompts.items
    this.promptRoutes = prompts.routes
    this.rebuildResources()
    this.reportConflicts()
  }

  /** The tools this client lists: those it may see after plugin filters, or the meta-tools of tool search. */
  toolsFor(ctx: ProxMCPContext | undefined): JsonObject[] {
    const view = this.toolViews.viewFor(ctx)
    const { toolSearch } = this.options
    if (!toolSearch) return view.tools
    view.listed ??= listedTools(view, toolSearch)
    return view.listed
  }

  /** Turns tool search on, off or changes its pinned tools (a reload); applies at the next rebuild. */
  setToolSearch(toolSearch: ToolSearchOptions | undefined): void {
    const { toolSearch: _previous, ...rest } = this.options
    this.options = toolSearch ? { ...rest, toolSearch } : rest
  }

  /** Tool search is on: clients list meta-tools (see toolsFor). */
  get searchesTools(): boolean {
    return this.options.toolSearch !== undefined
  }

  /** The `search_tools` answer, over the tools this client may see. */
  searchTools(args: unknown, ctx: ProxMCPContext | undefined): Promise<JsonObject> {
    return searchTools(this.toolViews.searchFor(ctx), args)
  }

  /** A tool an upstream offers under this name that filters or access rules keep from this client. */
  hides(name: string, ctx: ProxMCPContext | undefined): boolean {
    return this.toolViews.offers(name) && !this.routeTool(name, ctx)
  }

  routeTool(name: string, ctx: ProxMCPContext | undefined): Route | undefined {
    if (this.options.toolSearch && isMetaTool(name)) return undefined
    return this.toolViews.viewFor(ctx).routes.get(name)
  }

  /** Every tool of every upstream, and what became of it in the merged view (see reportTools). */
  toolReport(): ToolReport[] {
    return reportTools(
      this.upstreamsOf(),
      (upstream, name) => this.exposedName(upstream, name),
      this.toolViews.viewFor(undefined),
    )
  }

  /** The upstream that owns each merged prompt, and each listed resource. */
  owners(): {
    prompts: { name: string; upstream: string }[]
    resources: { uri: string; upstream: string }[]
  } {
    return {
      prompts: [...this.promptRoutes].map(([name, route]) => ({ name, upstream: route.upstream.id })),
      resources: [...this.resourceRoutes].map(([uri, upstream]) => ({ uri, upstream: upstream.id })),
    }
  }

  routePrompt(name: string): Route | undefined {
    return this.promptRoutes.get(name)
  }

  /** The upstream serving a resource URI: a listed resource first, then the first matching template. */
  routeResource(uri: string): Upstream | undefined {
    return this.resourceRoutes.get(uri) ?? this.templateRoutes.find((route) => route.match(uri))?.upstream
  }

  /** The down upstream that offered this tool or prompt name before it went away, if any. */
  formerOwner(kind: 'tools' | 'prompts', exposedName: string): Upstream | undefined {
    return this.upstreamsOf().find(
      (upstream) =>
        upstream.state !== 'up' &&
        upstream.lastKnownCatalog[kind].some((item) => this.exposedName(upstream, item.name) === exposedName),
    )
  }

  routeTemplate(uriTemplate: string): Upstream | undefined {
    return this.templateRoutes.find((route) => route.template === uriTemplate)?.upstream
  }

  private rebuildTools(): void {
    const upstreams = this.upstreamsOf()
    const merged = this.merge('tool', (upstream) => upstream.catalog.tools)
    this.listingPerIdentity = upstreams.filter((upstream) => upstream.identityTools)
    this.toolViews.reset(merged, {
      perIdentity: upstreams.some((upstream) => upstream.credentials.perIdentity),
      ...(this.listingPerIdentity.length > 0 && {
        mergedFor: (identity: string | undefined) => this.mergedFor(identity),
      }),
    })
  }

  /**
   * The merged tools as this identity sees them, where some upstream lists tools per identity:
   * that upstream's tools as listed to the identity, none before they are read and none to an
   * anonymous client (never the service credential's).
   */
  private mergedFor(identity: string | undefined): Merged {
    const own = (upstream: Upstream) =>
      identity === undefined ? [] : (upstream.identityTools?.toolsOf(identity) ?? [])
    return this.merge(
      'tool',
      (upstream) => (upstream.identityTools ? own(upstream) : upstream.catalog.tools),
      false,
    )
  }

  private rebuildResources(): void {
    this.resources = []
    this.resourceRoutes = new Map()
    this.resourceTemplates = []
    this.templateRoutes = []
    for (const upstream of this.upstreamsOf()) {
      for (const resource of upstream.catalog.resources) {
        const uri = resource.uri
        if (typeof uri !== 'string') continue
        const owner = this.resourceRoutes.get(uri)
        if (owner) {
          this.warnConflict('resource', uri, owner.id, upstream.id)
          continue
        }
        this.resourceRoutes.set(uri, upstream)
        this.resources.push(resource)
      }
      for (const template of upstream.catalog.resourceTemplates) {
        const uriTemplate = template.uriTemplate
        if (typeof uriTemplate !== 'string') continue
        const owner = this.routeTemplate(uriTemplate)
        if (owner) {
          this.warnConflict('resource template', uriTemplate, owner.id, upstream.id)
          continue
        }
        this.templateRoutes.push({ match: compileUriTemplate(uriTemplate), template: uriTemplate, upstream })
        this.resourceTemplates.push(template)
      }
    }
  }

  /** Merges named items in config order, exposing each under its (possibly namespaced) name; clashes are reported unless told not to. */
  private merge(kind: string, itemsOf: (upstream: Upstream) => JsonObject[], reportClashes = true): Merged {
    const routes = new Map<string, Route>()
    const items: JsonObject[] = []
    for (const upstream of this.upstreamsOf()) {
      for (const item of itemsOf(upstream)) {
        if (typeof item.name !== 'string') continue
        const exposed = this.exposedName(upstream, item.name)
        const owner = routes.get(exposed)
        if (owner) {
          if (reportClashes) this.warnConflict(kind, exposed, owner.upstream.id, upstream.id)
          continue
        }
        routes.set(exposed, { upstream, name: item.name })
        items.push(exposed === item.name ? item : { ...item, name: exposed })
      }
    }
    return { items, routes }
  }

  private exposedName(upstream: Upstream, name: unknown): string {
    return this.options.namespace ? `${upstream.id}${SEPARATOR}${String(name)}` : String(name)
  }

  /** Notes a clash; warnings go out once per name, grouped by kind and pair of upstreams. */
  private warnConflict(kind: string, name: string, winner: string, loser: string): void {
    const key = `${kind}\u0000${name}\u0000${loser}`
    if (this.warned.has(key)) return
    this.warned.add(key)
    const group = `${kind}\u0000${winner}\u0000${loser}`
    const pending = this.conflicts.get(group)
    if (pending) pending.names.push(name)
    else this.conflicts.set(group, { kind, winner, loser, names: [name] })
  }

  private reportConflicts(): void {
    for (const { kind, winner, loser, names } of this.conflicts.values()) {
      const subject =
        names.length === 1
          ? `${kind} '${names[0]}' is`
          : `${kind}s ${names.map((name) => `'${name}'`).join(', ')} are`
      this.options.logger.warn(
        `${subject} offered by upstreams '${winner}' and '${loser}': '${winner}' wins (listed first). ` +
          `Set "namespace: true" to expose both as <upstreamId>${SEPARATOR}<name>.`,
      )
    }
    this.conflicts.clear()
  }
}
