import * as v from 'valibot'
import type { ProxMCPContext } from '../plugins/types.ts'

const httpUrl = v.pipe(
  v.string('expected a URL'),
  v.check(
    (value) => URL.canParse(value) && /^https?:\/\//i.test(value),
    'expected an http:// or https:// URL',
  ),
)

const upstreamId = v.pipe(
  v.string('expected a string'),
  v.regex(
    /^[A-Za-z0-9][A-Za-z0-9_.-]*$/,
    'expected letters, digits, "_", "." or "-" (starting with a letter or digit)',
  ),
)

const stringMap = v.record(v.string(), v.string('expected a string'))

/** Headers computed for the identity of the request (see UpstreamSchema's `headers`). */
export type HeadersFunction = (
  ctx: ProxMCPContext,
) => Record<string, string> | undefined | Promise<Record<string, string> | undefined>

const headersFunction = v.custom<HeadersFunction>(
  (value) => typeof value === 'function',
  'expected a map of header names to values, or a function of the request context',
)

/** How ProxMCP authenticates itself to an authorization server: a client secret or a signed assertion. */
const oauthClient = {
  clientId: v.string('expected the client id'),
  clientSecret: v.optional(v.string('expected a string')),
  /** RFC 7523 `private_key_jwt`: a PKCS#8 PEM or a JWK private key, and its algorithm. */
  privateKeyJwt: v.optional(
    v.strictObject({
      privateKey: v.union([v.string(), v.record(v.string(), v.unknown())], 'expected a PKCS#8 PEM or a JWK'),
      algorithm: v.optional(v.string(), 'RS256'),
    }),
  ),
  /** Unset: discovered from the upstream's 401 (protected resource, then authorization server metadata). */
  tokenEndpoint: v.optional(httpUrl),
  /** The authorization server a discovered token endpoint must belong to (its metadata `issuer`). */
  issuer: v.optional(httpUrl),
  audience: v.optional(v.string('expected a string')),
  resource: v.optional(v.string('expected a string')),
  scope: v.optional(v.string('expected space-separated scopes')),
}

type OAuthClientShape = {
  clientSecret?: string
  privateKeyJwt?: object
  tokenEndpoint?: string
  issuer?: string
}

function oneClientSecret<T extends OAuthClientShape>() {
  return v.check<T, string>(
    (client) => (client.clientSecret === undefined) !== (client.privateKeyJwt === undefined),
    'expected either "clientSecret" or "privateKeyJwt"',
  )
}

/** Discovery follows the upstream to an authorization server: only the one named here may get the secret. */
function pinnedDiscovery<T extends OAuthClientShape>() {
  return v.check<T, string>(
    (client) => client.tokenEndpoint !== undefined || client.issuer !== undefined,
    'expected "tokenEndpoint", or "issuer" (the authorization server discovery may lead to)',
  )
}

const credentialEntry = v.union(
  [v.strictObject({ headers: stringMap }), v.strictObject({ env: stringMap })],
  'expected { headers } (an HTTP upstream) or { env } (a stdio upstream)',
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
    /** A map sent on every request, or a function of the request context: headers per identity. */
    headers: v.optional(
      v.union([stringMap, headersFunction], 'expected a map of header names to values, or a function'),
    ),
    /** Identity → its own headers (HTTP) or environment (stdio). */
    credentials: v.optional(v.record(v.string(), credentialEntry)),
    /** RFC 8693: each client's validated JWT is exchanged for a token meant for this upstream. */
    tokenExchange: v.optional(
      v.pipe(
        v.strictObject({
          ...oauthClient,
          subjectTokenType: v.optional(
            v.picklist(
              ['urn:ietf:params:oauth:token-type:access_token', 'urn:ietf:params:oauth:token-type:jwt'],
              'expected an access_token or jwt token type URN',
            ),
            'urn:ietf:params:oauth:token-type:access_token',
          ),
        }),
        oneClientSecret(),
        pinnedDiscovery(),
      ),
    ),
    /** OAuth `client_credentials`: the upstream's own service credential. */
    oauth: v.optional(v.pipe(v.strictObject(oauthClient), oneClientSecret(), pinnedDiscovery())),
    /** The upstream lists different tools to different users: each identity's list is read with its credential. */
    listsPerIdentity: v.optional(v.boolean('expected true or false'), false),
    /** An identity with no credential for this upstream: its tools are hidden, or listed and refused (403). */
    withoutCredential: v.optional(v.picklist(['hide', 'deny'], 'expected "hide" or "deny"'), 'hide'),
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

type UpstreamShape = {
  command?: string[]
  transport?: string
  shareProcess: boolean
  headers?: Record<string, string> | HeadersFunction
  credentials?: Record<string, { headers: Record<string, string> } | { env: Record<string, string> }>
  tokenExchange?: object
  oauth?: object
  listsPerIdentity: boolean
}

/** Credentials that cannot work with this upstream's transport, or that contradict each other. */
function credentialProblems(upstream: UpstreamShape): { key: string; message: string }[] {
  const problems: { key: string; message: string }[] = []
  const stdio = upstream.transport === 'stdio' || (upstream.command !== undefined && !upstream.transport)
  const entries = Object.values(upstream.credentials ?? {})
  const perIdentity = [
    upstream.credentials && 'credentials',
    typeof upstream.headers === 'function' && 'headers',
    upstream.tokenExchange && 'tokenExchange',
  ].filter(Boolean)
  if (upstream.listsPerIdentity && perIdentity.length === 0)
    problems.push({
      key: 'listsPerIdentity',
      message:
        'lists per identity need a credential per identity ("credentials", a "headers" function or "tokenExchange")',
    })
  if (perIdentity.length > 1)
    problems.push({
      key: 'credentials',
      message: `choose one of ${perIdentity.join(', ')}: each gives every identity its credential`,
    })
  if (stdio) {
    for (const key of ['oauth', 'tokenExchange'] as const)
      if (upstream[key])
        problems.push({ key, message: `"${key}" is for HTTP upstreams (a stdio upstream takes "env")` })
    if (typeof upstream.headers === 'function')
      problems.push({
        key: 'headers',
        message: 'a stdio upstream has no headers: use "credentials" with { env }',
      })
    if (entries.some((entry) => 'headers' in entry))
      problems.push({
        key: 'credentials',
        message: 'a stdio upstream takes { env } credentials, not { headers }',
      })
    if (upstream.credentials && upstream.shareProcess)
      problems.push({
        key: 'credentials',
        message: 'one shared process cannot run as each identity: set "shareProcess: false"',
      })
  } else if (entries.some((entry) => 'env' in entry)) {
    problems.push({
      key: 'credentials',
      message: 'an HTTP upstream takes { headers } credentials, not { env }',
    })
  }
  return problems
}

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
