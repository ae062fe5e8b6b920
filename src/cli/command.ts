import { defineCommand, runMain } from 'citty'
import { connectRedisBus } from '../cluster/redis-bus.ts'
import type { ProxMCPConfigFile } from '../config/define-config.ts'
import { importMcpServers } from '../config/import-mcp-servers.ts'
import { ConfigError } from '../config/resolve.ts'
import { ProxMCP } from '../proxy.ts'
import { VERSION } from '../version.ts'
import { cliPlugins } from './cli-plugins.ts'
import { clusterFromEnv } from './cluster-env.ts'
import { parseFlags, UsageError, uniqueIds } from './flags.ts'
import { findConfigFile, loadConfigFile } from './load-config.ts'
import { createCliLogger } from './logger.ts'
import { tracingFromEnv } from './otel-env.ts'
import type { CliRuntime } from './runtime.ts'
import { onShutdownSignal } from './signals.ts'
import { runSubcommand } from './subcommands.ts'
import { watchConfig } from './watch-config.ts'

const DEFAULT_PORT = 3000
const DEFAULT_HOST = '127.0.0.1'

/** The `proxmcp` command; the flags are declared here for --help, and parsed strictly by parseFlags. */
export function createCommand(runtime: CliRuntime) {
  return defineCommand({
    meta: {
      name: 'proxmcp',
      version: VERSION,
      description:
        'One MCP endpoint in front of many upstream MCP servers. Also: proxmcp init, proxmcp client-config <client> (each with --help).',
    },
    args: {
      upstream: {
        type: 'string',
        valueHint: '[id=]url',
        description:
          'Upstream MCP server URL (repeatable), optionally named: files=URL. A URL ending in /sse uses the HTTP+SSE transport.',
      },
      server: {
        type: 'string',
        valueHint: 'name=id,id',
        description: 'A virtual server at /mcp/<name> over the named upstreams (repeatable).',
      },
      stdio: {
        type: 'string',
        valueHint: 'command',
        description: 'Upstream started as a subprocess (repeatable).',
      },
      import: {
        type: 'string',
        valueHint: 'file',
        description:
          'Serve the servers of an MCP client config file: Claude Desktop, Cursor, VS Code, Windsurf, Claude Code (repeatable).',
      },
      'share-stdio': {
        type: 'boolean',
        description: 'One process per --stdio upstream for all clients (default: one per client session).',
      },
      port: {
        type: 'string',
        valueHint: 'port',
        description: `Port to listen on (default ${DEFAULT_PORT}, env PORT).`,
      },
      host: { type: 'string', valueHint: 'host', description: `Address to bind (default ${DEFAULT_HOST}).` },
      'log-format': {
        type: 'string',
        valueHint: 'pretty|json',
        description: 'Console and request log format (default pretty).',
      },
      config: {
        type: 'string',
        valueHint: 'file',
        description: 'Config file (default: proxmcp.config.* here).',
      },
      namespace: { type: 'boolean', description: 'Expose names as <upstreamId>__<name>.' },
      'tool-search': {
        type: 'boolean',
        description: 'List search_tools and call_tool instead of every tool (for large catalogs).',
      },
      'api-key': {
        type: 'string',
        valueHint: 'key',
        description: 'Require this API key (repeatable, or comma-separated; env PROXMCP_API_KEY).',
      },
      ui: {
        type: 'boolean',
        description: 'Serve the status page at /ui (admin key from env PROXMCP_UI_KEY; needed off loopback).',
      },
      'rate-limit': {
        type: 'string',
        valueHint: 'n',
        description: 'Allow each client IP n requests per minute.',
      },
    },
    run: ({ rawArgs }) => serveProxy(rawArgs, runtime),
  })
}

const LISTEN_PROBLEMS: Record<string, string> = {
  EADDRINUSE: 'the port is in use (another ProxMCP?); stop what holds it or choose another with --port',
  EACCES: 'permission denied; ports below 1024 need privileges, choose another with --port',
  EADDRNOTAVAIL: 'this machine has no such address; check --host',
}

/** Serves, or says in one line why the address cannot be had and exits 1 (nothing is started yet). */
async function listen(runtime: CliRuntime, options: Parameters<CliRuntime['serve']>[0]) {
  try {
    return await runtime.serve(options)
  } catch (error) {
    const problem = LISTEN_PROBLEMS[(error as { code?: string }).code ?? '']
    if (!problem) throw error
    process.stderr.write(`proxmcp: cannot listen on ${options.hostname}:${options.port}: ${problem}\n`)
    process.exit(1)
  }
}

/** Runs the CLI: usage and config errors print one line each and exit with code 2. */
export async function main(argv: string[], runtime: CliRuntime): Promise<void> {
  if (!(await runSubcommand(argv))) await runMain(createCommand(runtime), { rawArgs: argv })
}

async function serveProxy(argv: string[], runtime: CliRuntime): Promise<void> {
  let proxy: ProxMCP
  let loaded: LoadedConfig
  try {
    loaded = await readConfig(argv, runtime)
    proxy = new ProxMCP({
      ...loaded.config,
      spawn: runtime.spawn,
      clusterBus: connectRedisBus,
      logger: createCliLogger(loaded.config.logFormat ?? 'pretty'),
      reloadConfig: () => reloadConfig(argv, runtime, proxy),
    })
  } catch (error) {
    if (isConfigProblem(error)) {
      process.stderr.write(`proxmcp: ${error.message}\n`)
      process.exit(2)
    }
    throw error
  }
  const logger = createCliLogger(proxy.config.logFormat ?? 'pretty')
  const app = proxy.getApp()
  const hostname = proxy.config.host ?? DEFAULT_HOST
  const port = proxy.config.port ?? DEFAULT_PORT
  const server = await listen(runtime, {
    port,
    hostname,
    fetch: (request, clientAddress) => app.fetch(request, { clientAddress }),
  })
  logger.info(
    `ProxMCP ${VERSION} listening on http://${hostname.includes(':') ? `[${hostname}]` : hostname}:${server.port}/mcp`,
  )
  const stopWatching = watchConfig(loaded.path, () =>
    reloadConfig(argv, runtime, proxy).then(
      (summary) => logger.info(summary),
      (error) => logger.error(`config rejected, the running one stays: ${(error as Error).message}`),
    ),
  )
  onShutdownSignal(async (graceMs) => {
    stopWatching()
    await proxy.shutdown(graceMs)
    await server.stop()
  })
  await proxy.start()
}

/** Re-reads the config file and flags and applies them; resolves to what changed, or throws and changes nothing. */
async function reloadConfig(argv: string[], runtime: CliRuntime, proxy: ProxMCP): Promise<string> {
  const { config } = await readConfig(argv, runtime)
  const { added, removed, changed } = await proxy.reload(config)
  const ids = (list: { id: string }[]) => list.map((upstream) => upstream.id).join(', ') || 'none'
  return `config reloaded: added ${ids(added)}; removed ${removed.join(', ') || 'none'}; changed ${ids(changed)}`
}

function isConfigProblem(error: unknown): error is UsageError | ConfigError {
  return error instanceof UsageError || error instanceof ConfigError
}

interface LoadedConfig {
  config: ProxMCPConfigFile
  /** The config file, when there is one (it is watched for changes). */
  path: string | undefined
}

async function readConfig(argv: string[], runtime: CliRuntime): Promise<LoadedConfig> {
  const flags = parseFlags(argv, process.env)
  const path = findConfigFile(flags.configPath, process.cwd())
  const file = (path ? await loadConfigFile(path, runtime.importConfig) : {}) as Partial<ProxMCPConfigFile>
  const logFormat = flags.overrides.logFormat ?? file.logFormat ?? 'pretty'
  const warn = (message: string) => createCliLogger(logFormat).warn(message)
  const imported = await Promise.all(flags.imports.map((path) => importMcpServers(path, { warn })))
  const fileUpstreams = file.upstreams ?? []
  const clash = flags.namedIds.find((id) => fileUpstreams.some((upstream) => upstream.id === id))
  if (clash) throw new UsageError(`--upstream ${clash}=…: the config file has an upstream '${clash}' already`)
  const added = uniqueIds(
    [...imported.flat(), ...flags.upstreams],
    fileUpstreams.map((upstream) => upstream.id),
  )
  const upstreams = [...fileUpstreams, ...added]
  if (upstreams.length === 0) {
    throw new UsageError(
      'no upstreams: pass --upstream URL, --stdio "command", --import FILE or --config FILE (see --help)',
    )
  }
  const filePlugins = file.plugins ?? []
  const cluster = clusterFromEnv(process.env, file.cluster)
  // A `plugins` that is not a list is left for config validation to report.
  const plugins = Array.isArray(filePlugins)
    ? [...cliPlugins(flags, logFormat, filePlugins, cluster?.redis), ...filePlugins]
    : filePlugins
  const tracing = file.tracing ?? tracingFromEnv(process.env)
  const servers = { ...file.servers, ...flags.overrides.servers }
  return {
    config: {
      ...file,
      ...flags.overrides,
      upstreams,
      plugins,
      servers,
      ...(tracing && { tracing }),
      ...(cluster && { cluster }),
    },
    path,
  }
}
