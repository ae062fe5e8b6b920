import { expect, test } from 'bun:test'
import { type Route, type ToolFilter, ToolViews } from '../../../src/aggregate/tool-views.ts'
import { resolveConfig } from '../../../src/config/resolve.ts'
import { UpstreamCredentials } from '../../../src/credentials/upstream-credentials.ts'
import type { ProxMCPContext, ProxMCPTool } from '../../../src/plugins/types.ts'
import type { Upstream } from '../../../src/upstream/upstream.ts'

/** An upstream as tool views see it: its id, and whom it has credentials for. */
function upstream(id: string, credentials?: Record<string, { headers: Record<string, string> }>): Upstream {
  const [config] = resolveConfig({
    upstreams: [{ id, url: 'http://127.0.0.1:1/mcp', credentials }],
  }).upstreams
  return { id, credentials: new UpstreamCredentials(config as never, {}) } as Upstream
}

const alpha = upstream('alpha')
let beta = upstream('beta')
const TOOLS = [
  { name: 'alpha_search', inputSchema: { type: 'object' }, description: 'find', _meta: { k: 1 } },
  { name: 'beta_search', inputSchema: { type: 'object' } },
  { name: 'beta_write', inputSchema: { type: 'object' } },
]
const ROUTES: Record<string, Route> = {
  alpha_search: { upstream: alpha, name: 'search' },
  beta_search: { upstream: beta, name: 'search' },
  beta_write: { upstream: beta, name: 'write' },
}

function ctx(identity?: string): ProxMCPContext {
  return { requestId: 'r', http: { method: 'POST', path: '/mcp' }, identity, state: new Map() }
}

/** The merged tools as the catalog hands them over: each with its route. */
const merged = (tools: typeof TOOLS) => ({
  items: tools,
  routes: new Map(tools.map((tool) => [tool.name, ROUTES[tool.name] as Route])),
})

function views(filter?: ToolFilter): ToolViews {
  const toolViews = new ToolViews(filter)
  toolViews.reset(merged(TOOLS))
  return toolViews
}

const onTheWire = (value: unknown) => JSON.parse(JSON.stringify(value))

const namesOf = (toolViews: ToolViews, context?: ProxMCPContext) =>
  toolViews.viewFor(context).tools.map((tool) => tool.name)

test('without a filter every client sees every tool, each field kept and routed to its origin', () => {
  const view = views().viewFor(ctx('ann'))
  expect(onTheWire(view.tools)).toEqual(TOOLS)
  expect(view.routes).toEqual(new Map(Object.entries(ROUTES)))
})

test('the upstream id handed to plugins is not exposed to clients', () => {
  let seen: ProxMCPTool[] = []
  const view = views((tools) => {
    seen = tools
    return tools
  }).viewFor(ctx())
  expect(seen.map((tool) => tool.upstream)).toEqual(['alpha', 'beta', 'beta'])
  expect(view.tools.every((tool) => !('upstream' in tool))).toBe(true)
})

test('a filter decides per identity what each client sees', () => {
  const toolViews = views((tools, context) =>
    context?.identity === 'admin' ? tools : tools.filter((tool) => !tool.name.endsWith('_write')),
  )
  expect(namesOf(toolViews, ctx('admin'))).toEqual(['alpha_search', 'beta_search', 'beta_write'])
  expect(namesOf(toolViews, ctx('guest'))).toEqual(['alpha_search', 'beta_search'])
  expect(namesOf(toolViews, undefined)).toEqual(['alpha_search', 'beta_search'])
})

test('a tool a filter renames keeps routing to its origin under the new name', () => {
  const view = views((tools) => tools.map((tool) => ({ ...tool, name: `x_${tool.name}` }))).viewFor(ctx())
  expect(view.routes.get('x_beta_write')).toBe(ROUTES.beta_write as Route)
  expect(view.routes.has('beta_write')).toBe(false)
})

test('when a filter renames two tools to one name, the first keeps it', () => {
  const view = views((tools) => tools.map((tool) => ({ ...tool, name: 'search' }))).viewFor(ctx())
  expect(view.tools).toHaveLength(1)
  expect(view.routes.get('search')).toBe(ROUTES.alpha_search as Route)
})

test('a tool a filter made up, with no origin, is left out', () => {
  const invented = { name: 'invented', inputSchema: {}, upstream: 'alpha' }
  expect(
    namesOf(
      views((tools) => [...tools, invented]),
      ctx(),
    ),
  ).toEqual(['alpha_search', 'beta_search', 'beta_write'])
})

test('the filter runs once per identity until the catalog changes', () => {
  let runs = 0
  const toolViews = views((tools) => {
    runs++
    return tools
  })
  toolViews.viewFor(ctx('ann'))
  toolViews.viewFor(ctx('ann'))
  toolViews.viewFor(ctx('bob'))
  expect(runs).toBe(2)
  toolViews.reset(merged(TOOLS.slice(0, 1)))
  expect(namesOf(toolViews, ctx('ann'))).toEqual(['alpha_search'])
  expect(runs).toBe(3)
})

test('anonymous clients share one view', () => {
  let runs = 0
  const toolViews = views((tools) => {
    runs++
    return tools
  })
  toolViews.viewFor(undefined)
  toolViews.viewFor(ctx())
  expect(runs).toBe(1)
})

test('beyond 1000 identities the least recently used view is recomputed, a recent one is not', () => {
  const runsFor = new Map<string, number>()
  const toolViews = views((tools, context) => {
    const identity = context?.identity ?? ''
    runsFor.set(identity, (runsFor.get(identity) ?? 0) + 1)
    return tools
  })
  toolViews.viewFor(ctx('first'))
  toolViews.viewFor(ctx('second'))
  for (let index = 0; index < 998; index++) toolViews.viewFor(ctx(`user-${index}`))
  toolViews.viewFor(ctx('first'))
  toolViews.viewFor(ctx('one-too-many'))
  toolViews.viewFor(ctx('first'))
  toolViews.viewFor(ctx('second'))
  expect([runsFor.get('first'), runsFor.get('second')]).toEqual([1, 2])
})

test('an upstream with per-identity credentials lists its tools only to identities that have one', () => {
  const before = beta
  beta = upstream('beta', { alice: { headers: { authorization: 'Bearer a' } } })
  ROUTES.beta_search = { upstream: beta, name: 'search' }
  ROUTES.beta_write = { upstream: beta, name: 'write' }
  try {
    const toolViews = new ToolViews()
    toolViews.reset(merged(TOOLS), { perIdentity: true })
    expect(namesOf(toolViews, ctx('alice'))).toEqual(['alpha_search', 'beta_search', 'beta_write'])
    expect(namesOf(toolViews, ctx('bob'))).toEqual(['alpha_search'])
    expect(namesOf(toolViews, ctx())).toEqual(['alpha_search'])
    // The proxy's own view (the status page) shows every tool.
    expect(namesOf(toolViews)).toEqual(['alpha_search', 'beta_search', 'beta_write'])
  } finally {
    beta = before
    ROUTES.beta_search = { upstream: beta, name: 'search' }
    ROUTES.beta_write = { upstream: beta, name: 'write' }
  }
})

test('identities whose filters rewrite tool texts do not grow the shared search index without bound', async () => {
  const personal: ToolFilter = (tools, c) =>
    tools.map((tool) => ({ ...tool, description: `for ${c?.identity}` }))
  const toolViews = views(personal)
  const index = () => (toolViews as unknown as { index: { size: number } }).index
  let largest = 0
  for (let i = 0; i < 2_100; i++) {
    const found = (await toolViews.searchFor(ctx(`user-${i}`))).find(`user-${i}`, 3)
    expect(found).toHaveLength(3)
    largest = Math.max(largest, index().size)
  }
  expect(largest).toBeLessThanOrEqual(2_000 + TOOLS.length)
  expect(index().size).toBeLessThan(500)
}, 30_000)
