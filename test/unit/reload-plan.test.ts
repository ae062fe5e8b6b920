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

test.each([
  ['the same upstreams', [a, b], [a, b], { added: [], removed: [], changed: [] }],
  ['the same upstreams in another order', [a, b], [b, a], { added: [], removed: [], changed: [] }],
  ['one more upstream', [a], [a, c], { added: ['c'], removed: [], changed: [] }],
  ['one upstream fewer', [a, b], [b], { added: [], removed: ['a'], changed: [] }],
  [
    'a new url under the same id',
    [a],
    [{ ...a, url: 'http://127.0.0.1:5001/mcp' }],
    { added: [], removed: [], changed: ['a'] },
  ],
  ['a new timeout', [a, b], [a, { ...b, timeoutMs: 5_000 }], { added: [], removed: [], changed: ['b'] }],
  [
    'a default written out',
    [a],
    [{ ...a, era: 'auto' as const, timeoutMs: 300_000 }],
    { added: [], removed: [], changed: [] },
  ],
  ['a new env value', [b], [{ ...b, env: { TOKEN: 'x' } }], { added: [], removed: [], changed: ['b'] }],
  ['an id renamed', [a], [{ ...a, id: 'a2' }], { added: ['a2'], removed: ['a'], changed: [] }],
  [
    'everything at once',
    [a, b],
    [{ ...b, cwd: '/srv' }, c],
    { added: ['c'], removed: ['a'], changed: ['b'] },
  ],
])('%s', (_what, current, next, expected) => {
  expect(plan(current, next)).toEqual(expected)
})

test('a changed upstream is reported with its new settings', () => {
  const next = resolveConfig({ upstreams: [{ ...a, timeoutMs: 9 }] }).upstreams
  const { changed } = planUpstreamChanges(resolveConfig({ upstreams: [a] }).upstreams, next)
  expect(changed).toEqual(next)
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
test.todo('the same env or headers entries in another order are no change', () => {
  const before = { ...b, env: { A: '1', B: '2' } }
  const after = { ...b, env: { B: '2', A: '1' } }
  expect(plan([before], [after])).toEqual({ added: [], removed: [], changed: [] })
})
