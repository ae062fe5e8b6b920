import { expect, test } from 'bun:test'
import { resolveConfig } from '../../src/config/resolve.ts'
import type { UpstreamInput } from '../../src/config/schema.ts'
import { planUpstreamChanges, restartOnlyChanges } from '../../src/reload-plan.ts'

const a: UpstreamInput = { id: 'a', url: 'http://127.0.0.1:4001/mcp' }
const b: UpstreamInput = { id: 'b', command: ['node', 'b.js'] }
const c: UpstreamInput = { id: 'c', url: 'http://127.0.0.1:4003/mcp' }

function plan(current: UpstreamInput[], next: UpstreamInput[]) {
  const changes = planUpstreamChanges(
    resolveConfig({ upstreams: current }).upstreams,
    resolveConfig({ upstreams: next }).upstreams,
  )
  return {
    added: changes.added.map((upstream) => upstream.id),
    removed: changes.removed,
    changed: changes.changed.map((upstream) => upstream.id),
  }
}

const none = { added: [], removed: [], changed: [] }

test.each([
  ['the same upstreams', none, [a, b], [a, b]],
  ['the same upstreams in another order', none, [a, b], [b, a]],
  ['a default written out', none, [a], [{ ...a, era: 'auto' as const, timeoutMs: 300_000 }]],
  ['one more upstream', { ...none, added: ['c'] }, [a], [a, c]],
  ['one upstream fewer', { ...none, removed: ['a'] }, [a, b], [b]],
  [
    'a new url under the same id',
    { ...none, changed: ['a'] },
    [a],
    [{ ...a, url: 'http://127.0.0.1:5001/mcp' }],
  ],
  ['a new timeout', { ...none, changed: ['b'] }, [a, b], [a, { ...b, timeoutMs: 5_000 }]],
  ['a new env value', { ...none, changed: ['b'] }, [b], [{ ...b, env: { TOKEN: 'x' } }]],
  ['an id renamed', { added: ['a2'], removed: ['a'], changed: [] }, [a], [{ ...a, id: 'a2' }]],
  [
    'everything at once',
    { added: ['c'], removed: ['a'], changed: ['b'] },
    [a, b],
    [{ ...b, cwd: '/srv' }, c],
  ],
])('%s plans %j', (_what, expected, current, next) => {
  expect(plan(current, next)).toEqual(expected)
})

test('a changed upstream is reported with its new settings', () => {
  const next = resolveConfig({ upstreams: [{ ...a, timeoutMs: 9 }] }).upstreams
  const { changed } = planUpstreamChanges(resolveConfig({ upstreams: [a] }).upstreams, next)
  expect(changed).toEqual(next)
})

test('a headers function is not compared (the kept upstream takes the new one); a map becoming one is a change', () => {
  const http = { id: 'h', url: 'http://127.0.0.1:1/mcp' }
  const withHeaders = (headers: unknown) => resolveConfig({ upstreams: [{ ...http, headers }] }).upstreams
  const fn = () => ({ authorization: 'Bearer a' })
  expect(
    planUpstreamChanges(
      withHeaders(fn),
      withHeaders(() => ({})),
    ).changed,
  ).toEqual([])
  expect(planUpstreamChanges(withHeaders({ a: 'b' }), withHeaders(fn)).changed.map((u) => u.id)).toEqual([
    'h',
  ])
})

test.each([
  ['port', { port: 3001 }],
  ['host', { host: '0.0.0.0' }],
  ['namespace', { namespace: true }],
  ['pageSize', { pageSize: 10 }],
  ['maxBodyBytes', { maxBodyBytes: 1024 }],
  ['allowedHosts', { allowedHosts: ['proxy.example.com'] }],
  ['allowedOrigins', { allowedOrigins: ['app.example.com'] }],
  ['maxSessions', { maxSessions: 5 }],
  ['maxSessionsPerClient', { maxSessionsPerClient: 5 }],
  ['sessionIdleTimeoutMs', { sessionIdleTimeoutMs: 60_000 }],
  ['maxCallsPerSession', { maxCallsPerSession: 5 }],
])('a new %s waits for a restart', (key, change) => {
  const current = resolveConfig({ upstreams: [a] })
  expect(restartOnlyChanges(current, resolveConfig({ upstreams: [a], ...change }))).toEqual([key])
})

test('upstream, plugin and log format changes apply on reload', () => {
  const current = resolveConfig({ upstreams: [a] })
  const next = resolveConfig({ upstreams: [b, c], logFormat: 'json', plugins: [{ name: 'p' }] })
  expect(restartOnlyChanges(current, next)).toEqual([])
})

test('a setting written out at its default is no change', () => {
  const current = resolveConfig({ upstreams: [a] })
  expect(
    restartOnlyChanges(current, resolveConfig({ upstreams: [a], pageSize: 500, namespace: false })),
  ).toEqual([])
})

test('every restart-only change is listed', () => {
  const current = resolveConfig({ upstreams: [a], port: 3000 })
  const next = resolveConfig({ upstreams: [a], port: 3001, maxSessions: 2 })
  expect(restartOnlyChanges(current, next)).toEqual(['port', 'maxSessions'])
})

// JSON.stringify compares records by key order: a cosmetic edit of the file restarts the upstream.
test('the same env or headers entries in another order are no change', () => {
  const before = { ...b, env: { A: '1', B: '2' } }
  const after = { ...b, env: { B: '2', A: '1' } }
  expect(plan([before], [after])).toEqual(none)
})
