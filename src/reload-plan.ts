import type { ResolvedConfig, UpstreamConfig } from './config/resolve.ts'

/** What a new config changes about the upstreams, by id. */
export interface UpstreamChanges {
  added: UpstreamConfig[]
  removed: string[]
  /** Same id, different settings: reconnected. */
  changed: UpstreamConfig[]
}

/** Settings that live as long as the process: a reload cannot apply them, a restart can. */
const FIXED_AT_START = [
  'port',
  'host',
  'namespace',
  'pageSize',
  'maxBodyBytes',
  'allowedHosts',
  'allowedOrigins',
  'maxSessions',
  'maxSessionsPerClient',
  'sessionIdleTimeoutMs',
  'maxCallsPerSession',
  'ui',
  'audit',
  'tracing',
] as const

export function planUpstreamChanges(current: UpstreamConfig[], next: UpstreamConfig[]): UpstreamChanges {
  const before = new Map(current.map((upstream) => [upstream.id, upstream]))
  const after = new Set(next.map((upstream) => upstream.id))
  return {
    added: next.filter((upstream) => !before.has(upstream.id)),
    removed: current.filter((upstream) => !after.has(upstream.id)).map((upstream) => upstream.id),
    changed: next.filter((upstream) => {
      const old = before.get(upstream.id)
      return old !== undefined && canonical(old) !== canonical(upstream)
    }),
  }
}

/** The settings a reload changed but cannot apply. */
export function restartOnlyChanges(current: ResolvedConfig, next: ResolvedConfig): string[] {
  return FIXED_AT_START.filter((key) => canonical(current[key]) !== canonical(next[key]))
}

/** JSON with object keys in one order: `env` or `headers` written in another order are the same settings. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, inner) =>
    inner && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : inner,
  )
}
