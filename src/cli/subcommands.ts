import { homedir } from 'node:os'
import { defineCommand, runMain } from 'citty'
import { ConfigError } from '../config/resolve.ts'
import { CLIENTS, type ClientName, clientConfigPaths, type Places } from './client-files.ts'
import { clientSnippet } from './client-snippet.ts'
import { UsageError } from './flags.ts'
import { initConfig } from './init.ts'

function places(): Places {
  return { home: homedir(), cwd: process.cwd(), platform: process.platform, appData: process.env.APPDATA }
}

/** Usage and config errors print one line and exit with code 2, as the main command's do. */
async function reportingProblems(run: () => Promise<void>): Promise<void> {
  try {
    await run()
  } catch (error) {
    if (!(error instanceof UsageError || error instanceof ConfigError)) throw error
    process.stderr.write(`proxmcp: ${error.message}\n`)
    process.exit(2)
  }
}

const initCommand = defineCommand({
  meta: { name: 'init', description: 'Write a starter proxmcp.config.ts here.' },
  args: {
    from: {
      type: 'string',
      valueHint: `${CLIENTS.join('|')}|file`,
      description: "Serve the servers of that client's config file (read again at each start).",
    },
    force: { type: 'boolean', description: 'Replace an existing proxmcp.config.ts.' },
  },
  run: ({ args }) =>
    reportingProblems(async () => {
      const { path, source } = await initConfig({
        from: args.from,
        force: args.force === true,
        places: places(),
      })
      const from = source ? ` with the ${source.servers} server(s) of ${source.path}` : ''
      process.stdout.write(`wrote ${path}${from}; run: proxmcp\n`)
    }),
})

const clientConfigCommand = defineCommand({
  meta: { name: 'client-config', description: 'Print the entry that points an MCP client at ProxMCP.' },
  args: {
    client: { type: 'positional', valueHint: CLIENTS.join('|'), description: 'The client.', required: true },
    url: {
      type: 'string',
      valueHint: 'url',
      description: "ProxMCP's URL (default http://127.0.0.1:3000/mcp).",
    },
    'api-key': {
      type: 'string',
      valueHint: 'key',
      description: 'The key clients send (default env PROXMCP_API_KEY).',
    },
  },
  run: ({ args }) =>
    reportingProblems(async () => {
      const client = args.client as ClientName
      if (!CLIENTS.includes(client))
        throw new UsageError(`client-config: expected one of ${CLIENTS.join(', ')}`)
      const url = args.url ?? 'http://127.0.0.1:3000/mcp'
      if (!URL.canParse(url)) throw new UsageError(`--url ${url}: expected a URL`)
      const apiKey = args['api-key'] ?? process.env.PROXMCP_API_KEY?.split(',')[0]
      process.stdout.write(clientSnippet(client, { url, ...(apiKey && { apiKey }) }))
      process.stderr.write(`add it to ${clientConfigPaths(client, places()).join(' or ')}\n`)
    }),
})

/** Runs the command named by the first argument; false when there is none (the proxy runs). */
export async function runSubcommand(argv: string[]): Promise<boolean> {
  const [name, ...rest] = argv
  if (name === 'init') await runMain(initCommand, { rawArgs: rest })
  else if (name === 'client-config') await runMain(clientConfigCommand, { rawArgs: rest })
  else return false
  return true
}
