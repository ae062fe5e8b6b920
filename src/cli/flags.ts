import { parseArgs } from 'node:util'
import * as v from 'valibot'
import type { ProxyConfigInput, UpstreamInput } from '../config/schema.ts'

/** A command line that cannot be run; the CLI prints it on one line and exits with code 2. */
export class UsageError extends Error {
  override name = 'UsageError'
}

export interface CliOptions {
  configPath?: string
  /** Settings from flags; they override the config file. */
  overrides: Partial<ProxyConfigInput>
  /** Upstreams from --upstream and --stdio, appended to the config file's. */
  upstreams: UpstreamInput[]
  /** Ids given with --upstream id=URL: a clash with the config file's is an error, not a rename. */
  namedIds: string[]
  /** MCP client config files from --import, whose servers are appended too. */
  imports: string[]
  /** API keys from --api-key (or PROXMCP_API_KEY), each flag or the variable possibly comma-separated. */
  apiKeys: string[]
  /** Requests per minute per client IP, from --rate-limit. */
  rateLimit?: number
}

const PerMinute = v.pipe(
  v.string(),
  v.regex(/^\d+$/, 'expected a whole number of requests per minute'),
  v.transform(Number),
  v.minValue(1, 'expected at least 1 request per minute'),
)

const Port = v.pipe(
  v.string(),
  v.regex(/^\d+$/, 'expected a whole number'),
  v.transform(Number),
  v.maxValue(65535, 'expected a port up to 65535'),
)

/** Parses the command line strictly: unknown flags and bad values are usage errors. */
export function parseFlags(argv: string[], env: Record<string, string | undefined>): CliOptions {
  let values: ReturnType<typeof parse>['values']
  try {
    values = parse(argv).values
  } catch (error) {
    throw new UsageError((error as Error).message.split('\n')[0])
  }
  const overrides: Partial<ProxyConfigInput> = {}
  const port = values.port ?? env.PORT
  if (port !== undefined) overrides.port = check(Port, port, `--port ${port}`)
  if (values.host !== undefined) overrides.host = values.host
  if (values['log-format'] !== undefined) {
    overrides.logFormat = check(
      v.picklist(['pretty', 'json']),
      values['log-format'],
      `--log-format ${values['log-format']}`,
    )
  }
  if (values.namespace) overrides.namespace = true
  if (values['tool-search']) overrides.toolSearch = true
  if (values.server) overrides.servers = Object.fromEntries(values.server.map(serverFlag))
  if (values.ui) overrides.ui = env.PROXMCP_UI_KEY ? { adminKey: env.PROXMCP_UI_KEY } : true
  const named: UpstreamInput[] = []
  const unnamed: UpstreamInput[] = []
  for (const [index, value] of (values.upstream ?? []).entries()) {
    const [, id, url] = NAMED_UPSTREAM.exec(value) ?? []
    if (id && url) named.push({ id, url })
    else unnamed.push({ id: upstreamId(value, index), url: value })
  }
  const namedIds = named.map((upstream) => upstream.id)
  const twice = namedIds.find((id, index) => namedIds.indexOf(id) !== index)
  if (twice) throw new UsageError(`--upstream ${twice}=…: two upstreams are named '${twice}'`)
  // Ids the user chose stay as given (--server names them); generated ones make way.
  const upstreams = [
    ...named,
    ...uniqueIds(
      [
        ...unnamed,
        ...(values.stdio ?? []).map((line, index) => ({
          id: `stdio-${index + 1}`,
          command: splitCommand(line),
          ...(values['share-stdio'] && { shareProcess: true }),
        })),
      ],
      namedIds,
    ),
  ]
  const rateLimit = values['rate-limit']
  return {
    configPath: values.config,
    overrides,
    upstreams,
    namedIds,
    imports: values.import ?? [],
    apiKeys: apiKeys(values['api-key'] ?? (env.PROXMCP_API_KEY === undefined ? [] : [env.PROXMCP_API_KEY])),
    ...(rateLimit !== undefined && { rateLimit: check(PerMinute, rateLimit, `--rate-limit ${rateLimit}`) }),
  }
}

/** Flags win over the environment; either may list several keys separated by commas. */
function apiKeys(values: string[]): string[] {
  const keys = values.flatMap((value) => value.split(',')).map((key) => key.trim())
  if (keys.some((key) => key === '')) throw new UsageError('--api-key: a key is empty')
  return keys
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      upstream: { type: 'string', multiple: true },
      server: { type: 'string', multiple: true },
      stdio: { type: 'string', multiple: true },
      import: { type: 'string', multiple: true },
      'share-stdio': { type: 'boolean' },
      port: { type: 'string' },
      host: { type: 'string' },
      'log-format': { type: 'string' },
      config: { type: 'string' },
      namespace: { type: 'boolean' },
      'tool-search': { type: 'boolean' },
      ui: { type: 'boolean' },
      'api-key': { type: 'string', multiple: true },
      'rate-limit': { type: 'string' },
    },
  })
}

function check<T extends v.GenericSchema>(schema: T, value: unknown, what: string): v.InferOutput<T> {
  const result = v.safeParse(schema, value)
  if (!result.success) throw new UsageError(`${what}: ${result.issues[0]?.message}`)
  return result.output
}

/** A readable id from the URL's host and port ("localhost-3001"), unique by position. */
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]'])

/** `--upstream id=URL`: an id of the user's, which `--server` can name. */
const NAMED_UPSTREAM = /^([A-Za-z0-9][A-Za-z0-9_.-]*)=(.+)$/

/** `--server name=upstreamId,upstreamId`. */
function serverFlag(value: string): [string, { upstreams: string[] }] {
  const [, name, ids] = /^([^=]+)=(.+)$/.exec(value) ?? []
  const upstreams = ids?.split(',').map((id) => id.trim())
  if (!name || !upstreams || upstreams.some((id) => id === '')) {
    throw new UsageError(
      `--server ${value}: expected name=upstreamId,upstreamId (ids as given with --upstream id=URL)`,
    )
  }
  return [name, { upstreams }]
}

function upstreamId(url: string, index: number): string {
  try {
    const { hostname, port } = new URL(url)
    const host = LOOPBACK.has(hostname)
      ? 'localhost'
      : hostname.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '')
    return `${host}${port ? `-${port}` : ''}`
  } catch {
    return `upstream-${index + 1}`
  }
}

/** Ids made unique by position, also against `taken`: a repeated one gets `-2`, `-3`, … (the first free). */
export function uniqueIds(upstreams: UpstreamInput[], taken: string[] = []): UpstreamInput[] {
  const used = new Set(taken)
  return upstreams.map((upstream) => {
    let id = upstream.id
    for (let suffix = 2; used.has(id); suffix++) id = `${upstream.id}-${suffix}`
    used.add(id)
    return id === upstream.id ? upstream : { ...upstream, id }
  })
}

/** Splits a command line on spaces, keeping quoted parts together ("node server.js --name 'my app'"). */
export function splitCommand(line: string): string[] {
  const parts = [...line.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)].map(
    (match) => match[1] ?? match[2] ?? match[3] ?? '',
  )
  if (parts.length === 0) throw new UsageError('--stdio needs a command to run')
  return parts
}
