import { expect, test } from 'bun:test'
import { dirname, join, normalize, relative } from 'node:path'
import { Glob } from 'bun'

/**
 * What each folder of src/ may import, following the walk of a request: the HTTP front ends call
 * sessions and stateless scopes, which call the forwarding lifecycle, which calls upstreams.
 * Top-level leaf modules (errors, logger, version, …) may be imported from anywhere.
 */
const MAY_IMPORT: Record<string, string[]> = {
  runtime: [],
  plugins: [],
  config: ['plugins'],
  credentials: ['config', 'plugins'],
  upstream: ['config', 'runtime', 'credentials'],
  metrics: ['upstream'],
  aggregate: ['upstream', 'plugins'],
  audit: ['plugins'],
  tracing: ['plugins'],
  forward: ['upstream', 'aggregate', 'plugins', 'metrics', 'audit', 'tracing'],
  cluster: ['upstream', 'plugins', 'config'],
  stateless: ['forward', 'upstream', 'plugins', 'credentials', 'cluster'],
  session: ['forward', 'upstream', 'plugins', 'metrics', 'cluster'],
  sse: ['session', 'forward', 'cluster'],
  servers: [
    'session',
    'sse',
    'stateless',
    'forward',
    'aggregate',
    'plugins',
    'config',
    'upstream',
    'cluster',
  ],
  ui: ['servers', 'aggregate', 'config', 'metrics', 'plugins', 'upstream'],
  app: [
    'servers',
    'session',
    'sse',
    'aggregate',
    'config',
    'plugins',
    'metrics',
    'upstream',
    'ui',
    'audit',
    'tracing',
  ],
}
const ENTRY_POINTS = new Set(['proxy.ts', 'index.ts'])
const IMPORT = /(?:import|export)[^'"]*?from\s+['"](\.[^'"]+)['"]/g

/** Each module of src/ (path relative to src/) and the modules of src/ it imports. */
async function importGraph(): Promise<Map<string, string[]>> {
  const graph = new Map<string, string[]>()
  for await (const path of new Glob('**/*.ts').scan('src')) {
    const text = await Bun.file(join('src', path)).text()
    const imports = [...text.matchAll(IMPORT)].map((match) =>
      normalize(join(dirname(path), match[1] as string)),
    )
    graph.set(path, imports)
  }
  return graph
}

const folderOf = (path: string) => (path.includes('/') ? (path.split('/')[0] as string) : undefined)

test('no module of src/ imports itself back through others, not even by types', async () => {
  const graph = await importGraph()
  const circles: string[] = []
  const state = new Map<string, 'open' | 'done'>()
  const walk = (path: string, trail: string[]) => {
    if (state.get(path) === 'done') return
    if (state.get(path) === 'open') {
      circles.push([...trail.slice(trail.indexOf(path)), path].join(' → '))
      return
    }
    state.set(path, 'open')
    for (const next of graph.get(path) ?? []) if (graph.has(next)) walk(next, [...trail, path])
    state.set(path, 'done')
  }
  for (const path of graph.keys()) walk(path, [])
  expect(circles).toEqual([])
})

test('each folder imports only the folders below it in the walk of a request', async () => {
  const graph = await importGraph()
  const breaches: string[] = []
  for (const [path, imports] of graph) {
    const from = folderOf(path)
    if (!from || !(from in MAY_IMPORT)) continue
    for (const target of imports) {
      const to = folderOf(target)
      const allowed =
        to === undefined ? !ENTRY_POINTS.has(target) : to === from || MAY_IMPORT[from]?.includes(to)
      if (!allowed) breaches.push(`${path} imports ${relative('.', target)}`)
    }
  }
  expect(breaches).toEqual([])
})
