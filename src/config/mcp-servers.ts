import * as v from 'valibot'
import { ConfigError, issuePath } from './resolve.ts'
import type { UpstreamInput } from './schema.ts'

export interface McpServersOptions {
  /** What `${env:NAME}`, `${NAME}` and `${NAME:-default}` read. Default: no variables. */
  env?: Record<string, string | undefined>
  /** What `${userHome}` stands for. */
  home?: string
  /** What `${workspaceFolder}` stands for: the folder the client would have open. */
  workspace?: string
  /** Where the JSON came from, named in every error and warning. */
  source?: string
  /** Told of each field that ProxMCP reads past (default: nothing is said). */
  warn?: (message: string) => void
}

const text = v.string('expected a string')
const texts = v.array(text, 'expected a list of strings')
const textMap = v.record(v.string(), text, 'expected an object of strings')

const Entry = v.object(
  {
    command: v.optional(text),
    args: v.optional(texts),
    env: v.optional(textMap),
    cwd: v.optional(text),
    url: v.optional(text),
    serverUrl: v.optional(text),
    httpUrl: v.optional(text),
    type: v.optional(text),
    transport: v.optional(text),
    headers: v.optional(textMap),
    disabled: v.optional(v.boolean('expected true or false')),
  },
  'expected an object',
)
type Entry = v.InferOutput<typeof Entry>

const KNOWN_FIELDS = new Set(Object.keys(Entry.entries))
const TRANSPORTS: Record<string, UpstreamInput['transport']> = {
  stdio: 'stdio',
  http: 'streamable-http',
  'streamable-http': 'streamable-http',
  streamableHttp: 'streamable-http',
  sse: 'sse',
}
const REFERENCE = /\$\{([^}]*)\}/g

/**
 * The upstreams of an `mcpServers` file as MCP clients write them: Claude Desktop, Cursor,
 * Windsurf (`serverUrl`), Claude Code (`.mcp.json`), Gemini CLI (`httpUrl`), and VS Code's
 * `servers`. Ids come from the keys; `disabled` entries are left out; `${env:NAME}`, `${NAME}`,
 * `${NAME:-default}`, `${userHome}` and `${workspaceFolder}` are resolved. Throws a
 * {@link ConfigError} naming each problem by path.
 *
 * @example
 * ```ts
 * defineConfig({ upstreams: fromMcpServers(JSON.parse(text), { env: process.env }) })
 * ```
 */
export function fromMcpServers(json: unknown, options: McpServersOptions = {}): UpstreamInput[] {
  const where = (path: string) => (options.source ? `${options.source}: ${path}` : path)
  const { field, servers } = serversOf(json)
  if (!servers) throw new ConfigError([where('expected an "mcpServers" (or VS Code "servers") object')])
  const issues: string[] = []
  const upstreams: UpstreamInput[] = []
  const ids = new Set<string>()
  for (const [key, raw] of Object.entries(servers)) {
    const path = `${field}.${key}`
    const parsed = v.safeParse(Entry, raw)
    if (!parsed.success) {
      for (const issue of parsed.issues) {
        const at = issuePath(issue)
        issues.push(where(`${path}${at ? `.${at}` : ''}: ${issue.message}`))
      }
      continue
    }
    for (const name of Object.keys(raw as object)) {
      if (!KNOWN_FIELDS.has(name)) options.warn?.(where(`${path}.${name} is not used by ProxMCP`))
    }
    if (parsed.output.disabled) continue
    const resolve = (value: string, at: string) =>
      resolveReferences(value, options, where(`${path}.${at}`), issues)
    const upstream = toUpstream(uniqueId(key, ids), parsed.output, resolve, (problem) =>
      issues.push(where(`${path}: ${problem}`)),
    )
    if (upstream) upstreams.push(upstream)
  }
  if (issues.length > 0) throw new ConfigError(issues)
  return upstreams
}

function serversOf(json: unknown): { field: string; servers?: Record<string, unknown> } {
  const object = (value: unknown) =>
    typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined
  const root = object(json)
  if (root?.mcpServers !== undefined) return { field: 'mcpServers', servers: object(root.mcpServers) }
  return { field: 'servers', servers: object(root?.servers) }
}

type Resolve = (value: string, at: string) => string

function toUpstream(
  id: string,
  entry: Entry,
  resolve: Resolve,
  problem: (message: string) => void,
): UpstreamInput | undefined {
  const declared = entry.type ?? entry.transport
  const transport = declared === undefined ? undefined : TRANSPORTS[declared]
  if (declared !== undefined && !transport) {
    problem(`type "${declared}" is not one of stdio, http, streamable-http, sse`)
    return undefined
  }
  const url = entry.url ?? entry.serverUrl ?? entry.httpUrl
  if (entry.command !== undefined && transport !== 'streamable-http' && transport !== 'sse') {
    return {
      id,
      command: [
        resolve(entry.command, 'command'),
        ...(entry.args ?? []).map((arg, index) => resolve(arg, `args[${index}]`)),
      ],
      ...(entry.env && { env: resolveMap(entry.env, 'env', resolve) }),
      ...(entry.cwd !== undefined && { cwd: resolve(entry.cwd, 'cwd') }),
    }
  }
  if (url !== undefined && transport !== 'stdio') {
    return {
      id,
      url: resolve(url, 'url'),
      ...(transport && { transport }),
      ...(entry.headers && { headers: resolveMap(entry.headers, 'headers', resolve) }),
    }
  }
  problem(transport === 'stdio' ? 'a stdio server needs "command"' : 'expected "command" or "url"')
  return undefined
}

function resolveMap(map: Record<string, string>, field: string, resolve: Resolve): Record<string, string> {
  return Object.fromEntries(
    Object.entries(map).map(([name, value]) => [name, resolve(value, `${field}.${name}`)]),
  )
}

/** Replaces each `${...}` reference; one that cannot be resolved is an issue, named by path. */
function resolveReferences(
  value: string,
  options: McpServersOptions,
  path: string,
  issues: string[],
): string {
  return value.replace(REFERENCE, (whole, inner: string) => {
    const resolved = referenceValue(inner, options)
    if (resolved !== undefined) return resolved
    issues.push(`${path}: ${whole} ${unresolvedReason(inner)}`)
    return whole
  })
}

function referenceValue(inner: string, { env = {}, home, workspace }: McpServersOptions): string | undefined {
  if (inner === 'userHome') return home
  if (inner === 'workspaceFolder') return workspace
  if (inner === 'pathSeparator' || inner === '/') return '/'
  const variable = /^(?:env:)?([A-Za-z_][A-Za-z0-9_]*)(?::-(.*))?$/.exec(inner)
  if (!variable) return undefined
  const [, name = '', fallback] = variable
  const value = Object.hasOwn(env, name) ? env[name] : undefined
  // As in a shell, `${NAME:-default}` stands for the default when NAME is unset or empty.
  return fallback !== undefined && !value ? fallback : value
}

function unresolvedReason(inner: string): string {
  if (inner.startsWith('input:')) {
    return `asks the user for a value, which ProxMCP cannot do: use $\{env:NAME} instead`
  }
  if (inner === 'userHome' || inner === 'workspaceFolder') return 'is not known here'
  return /^(?:env:)?[A-Za-z_][A-Za-z0-9_]*$/.test(inner)
    ? 'names a variable that is not set'
    : 'is not a reference ProxMCP knows'
}

/** The entry's key as an upstream id: characters an id may not have become "-", and repeats get a number. */
function uniqueId(key: string, taken: Set<string>): string {
  const base = key.replace(/[^A-Za-z0-9_.-]/g, '-').replace(/^[^A-Za-z0-9]+/, '') || 'server'
  let id = base
  for (let suffix = 2; taken.has(id); suffix++) id = `${base}-${suffix}`
  taken.add(id)
  return id
}
