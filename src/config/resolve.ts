import * as v from 'valibot'
import type { ProxMCPPlugin } from '../plugins/types.ts'
import { type ProxyConfigInput, type ProxyConfigOutput, ProxyConfigSchema } from './schema.ts'

export type UpstreamTransport = 'streamable-http' | 'sse' | 'stdio'

type ParsedUpstream = ProxyConfigOutput['upstreams'][number]

/** How ProxMCP authenticates to an authorization server (`oauth`, `tokenExchange`). */
export type OAuthClientSettings = NonNullable<ParsedUpstream['oauth']>

/** An upstream with every default applied and its transport decided. */
export type UpstreamConfig = Omit<ParsedUpstream, 'transport'> & { transport: UpstreamTransport }

/** The proxy's configuration after validation, with defaults applied. */
export type ResolvedConfig = Omit<ProxyConfigOutput, 'upstreams' | 'plugins'> & {
  upstreams: UpstreamConfig[]
  plugins: ProxMCPPlugin[]
}

/** Thrown for a configuration that does not validate; `issues` lists every problem by path. */
export class ConfigError extends Error {
  constructor(readonly issues: string[]) {
    super(`invalid configuration:\n${issues.map((issue) => `  ${issue}`).join('\n')}`)
    this.name = 'ConfigError'
  }
}

/** Validates a configuration and applies defaults; throws {@link ConfigError} listing every problem. */
export function resolveConfig(input: ProxyConfigInput | unknown): ResolvedConfig {
  const result = v.safeParse(ProxyConfigSchema, input)
  if (!result.success) throw new ConfigError(result.issues.map(formatIssue))
  const { upstreams, plugins: _checked, ...rest } = result.output
  return {
    ...rest,
    upstreams: upstreams.map((upstream) => ({ ...upstream, transport: transportOf(upstream) })),
    // Validation copies objects; plugins keep their identity (a reload keeps the ones it is given again).
    plugins: ((input as { plugins?: ProxMCPPlugin[] }).plugins ?? []) as ProxMCPPlugin[],
  }
}

function transportOf(upstream: ParsedUpstream): UpstreamTransport {
  if (upstream.transport) return upstream.transport
  if (upstream.command) return 'stdio'
  return new URL(upstream.url as string).pathname.endsWith('/sse') ? 'sse' : 'streamable-http'
}

function formatIssue(issue: v.BaseIssue<unknown>): string {
  const path = issuePath(issue)
  return path ? `${path}: ${issue.message}` : issue.message
}

/** Where a validation issue is, as `upstreams[0].command`. */
export function issuePath(issue: v.BaseIssue<unknown>): string {
  return (issue.path ?? [])
    .map((item) => (typeof item.key === 'number' ? `[${item.key}]` : `.${String(item.key)}`))
    .join('')
    .replace(/^\./, '')
}
