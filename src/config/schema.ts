import * as v from 'valibot'
import { credentialFields, credentialProblems } from './credentials-schema.ts'
import { httpUrl, stringMap } from './schema-parts.ts'

const upstreamId = v.pipe(
  v.string('expected a string'),
  v.regex(
    /^[A-Za-z0-9][A-Za-z0-9_.-]*$/,
    'expected letters, digits, "_", "." or "-" (starting with a letter or digit)',
  ),
)

/** One upstream MCP server, as written in the config file or built from CLI flags. */
export const UpstreamSchema = v.pipe(
  v.object({
    id: upstreamId,
    url: v.optional(httpUrl),
    transport: v.optional(
      v.picklist(['streamable-http', 'sse', 'stdio'], 'expected "streamable-http", "sse" or "stdio"'),
    ),
    command: v.optional(
      v.pipe(v.array(v.string('expected a string')), v.minLength(1, 'expected at least the program to run')),
    ),
    env: v.optional(stringMap),
    cwd: v.optional(v.string('expected a path')),
    ...credentialFields,
    era: v.optional(
      v.picklist(['auto', 'legacy', 'modern'], 'expected "auto", "legacy" or "modern"'),
      'auto',
    ),
    timeoutMs: v.optional(v.pipe(v.number('expected a number'), v.integer(), v.minValue(1)), 300_000),
    shareProcess: v.optional(v.boolean('expected true or false'), false),
    prestart: v.optional(
      v.pipe(
        v.number('expected a number'),
        v.integer('expected a whole number'),
        v.minValue(0, 'expected 0 or more'),
        v.maxValue(16, 'expected at most 16'),
      ),
    ),
  }),
  v.rawCheck(({ dataset, addIssue }) => {
    if (!dataset.typed) return
    for (const { key, message } of credentialProblems(dataset.value))
      addIssue({ message, path: pathTo(dataset.value, key) })
  }),
  v.rawCheck(({ dataset, addIssue }) => {
    if (!dataset.typed) return
    const { url, command, transport } = dataset.value
    if (transport === 'stdio' || (command && !transport)) {
      if (!command)
        addIssue({ message: 'a stdio upstream needs "command"', path: pathTo(dataset.value, 'command') })
    } else if (dataset.value.shareProcess || dataset.value.prestart !== undefined) {
      const key = dataset.value.shareProcess ? 'shareProcess' : 'prestart'
      addIssue({ message: `"${key}" is for stdio upstreams only`, path: pathTo(dataset.value, key) })
    } else if (!url) {
      addIssue({
        message: 'expected a URL (or "command" for a stdio upstream)',
        path: pathTo(dataset.value, 'url'),
      })
    }
  }),
)

const toolSearchSetting = v.optional(
  v.union(
    [v.boolean(), v.strictObject({ pinned: v.optional(v.array(v.string('expected a tool name')), []) })],
    'expected true, false or { pinned: [tool names] }',
  ),
  false,
)

const globs = v.array(v.string('expected a name or glob'))

/** A virtual server: a named MCP endpoint (`/mcp/<name>`) over some of the upstreams, with its own rules. */
export const ServerSchema = v.strictObject({
  upstreams: v.pipe(
    v.array(upstreamId, 'expected a list of upstream ids'),
    v.minLength(1, 'expected at least one upstream id'),
    v.check((ids) => new Set(ids).size === ids.length, 'expected each upstream id once'),
  ),
  tools: v.optional(
    v.strictObject({
      allow: v.optional(globs),
      deny: v.optional(globs),
      rename: v.optional(
        v.pipe(
          stringMap,
          v.check((rename) => {
            const targets = Object.values(rename)
            return targets.every(Boolean) && new Set(targets).size === targets.length
          }, 'expected new names that are not empty and not shared by two tools'),
        ),
      ),
      descriptions: v.optional(stringMap),
    }),
  ),
  /** Identity glob → tool globs; an identity no key matches may not use the server. */
  access: v.optional(v.record(v.string(), globs)),
  instructions: v.optional(v.string('expected a string')),
  toolSearch: toolSearchSetting,
})

const serverName = v.pipe(
  v.string(),
  v.regex(/^[a-z0-9][a-z0-9_-]*$/, 'expected lowercase letters, digits, "_" or "-" (a path segment)'),
  // `/messages` is where HTTP+SSE clients of `/sse` post.
  v.check((name) => name !== 'messages', '"messages" is taken by the HTTP+SSE transport'),
)

function pathTo(input: Record<string, unknown>, key: string): [v.ObjectPathItem] {
  return [{ type: 'object', origin: 'value', input, key, value: input[key] }]
}

export const ProxyConfigSchema = v.pipe(
  v.object({
    port: v.optional(
      v.pipe(v.number('expected a port number'), v.integer(), v.minValue(0), v.maxValue(65535)),
    ),
    host: v.optional(v.string('expected a host name or address')),
    upstreams: v.array(UpstreamSchema, 'expected a list of upstreams'),
    plugins: v.optional(v.array(v.looseObject({ name: v.string('expected the plugin name') }))),
    namespace: v.optional(v.boolean('expected true or false'), false),
    toolSearch: toolSearchSetting,
    servers: v.optional(v.record(serverName, ServerSchema), {}),
    /** What `/mcp` serves: every upstream (absent), one virtual server (its name), or nothing (false). */
    default: v.optional(v.union([serverName, v.literal(false)], 'expected the name of a server, or false')),
    pageSize: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1, 'expected at least 1')), 500),
    logFormat: v.optional(v.picklist(['pretty', 'json'], 'expected "pretty" or "json"')),
    maxBodyBytes: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1)), 4 * 1024 * 1024),
    maxSessions: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1)), 10_000),
    maxSessionsPerClient: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1)), 100),
    sessionIdleTimeoutMs: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1_000)), 30 * 60_000),
    maxCallsPerSession: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1)), 64),
    allowedHosts: v.optional(v.array(v.string())),
    allowedOrigins: v.optional(v.array(v.string())),
    tracing: v.optional(
      v.object({
        endpoint: v.optional(httpUrl),
        sampleRatio: v.optional(
          v.pipe(v.number(), v.minValue(0), v.maxValue(1, 'expected a ratio from 0 to 1')),
          1,
        ),
        serviceName: v.optional(v.string(), 'proxmcp'),
        protocol: v.optional(
          v.picklist(['http/protobuf', 'http/json'], 'expected "http/protobuf" or "http/json"'),
          'http/protobuf',
        ),
      }),
    ),
    audit: v.optional(
      v.pipe(
        v.object({
          file: v.optional(v.string('expected a path')),
          stdout: v.optional(v.boolean('expected true or false'), false),
          includeArguments: v.optional(v.boolean('expected true or false'), false),
          maxBytes: v.optional(
            v.pipe(v.number(), v.integer(), v.minValue(1024, 'expected at least 1024 bytes')),
          ),
          keep: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(100)), 5),
          maxBuffered: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1)), 10_000),
        }),
        v.check((audit) => audit.file !== undefined || audit.stdout, 'expected "file" or "stdout: true"'),
      ),
    ),
    cluster: v.optional(
      v.object({
        redis: v.pipe(
          v.string('expected a redis:// URL'),
          v.regex(/^rediss?:\/\/./, 'expected a redis:// or rediss:// URL'),
        ),
        secret: v.pipe(v.string('expected a string'), v.minLength(32, 'expected at least 32 characters')),
      }),
    ),
    ui: v.optional(
      v.union(
        [
          v.boolean(),
          v.object({
            adminKey: v.optional(v.pipe(v.string(), v.minLength(16, 'expected at least 16 characters'))),
          }),
        ],
        'expected true, false or { adminKey }',
      ),
    ),
  }),
  v.check(
    (config) => new Set(config.upstreams.map((upstream) => upstream.id)).size === config.upstreams.length,
    'upstream ids must be unique',
  ),
  v.rawCheck(({ dataset, addIssue }) => {
    if (!dataset.typed) return
    const { servers, upstreams } = dataset.value
    const ids = new Set(upstreams.map((upstream) => upstream.id))
    for (const [name, server] of Object.entries(servers)) {
      for (const id of server.upstreams.filter((id) => !ids.has(id)))
        addIssue({ message: `servers.${name}.upstreams: no upstream has the id '${id}'` })
    }
    const target = dataset.value.default
    if (typeof target === 'string' && !(target in servers))
      addIssue({ message: `default: no server is named '${target}'` })
  }),
)

export type UpstreamInput = v.InferInput<typeof UpstreamSchema>
export type ProxyConfigInput = v.InferInput<typeof ProxyConfigSchema>
export type ProxyConfigOutput = v.InferOutput<typeof ProxyConfigSchema>
