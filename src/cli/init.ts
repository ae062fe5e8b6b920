import { existsSync, writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { importMcpServers } from '../config/import-mcp-servers.ts'
import { CLIENTS, type ClientName, clientConfigPaths, type Places } from './client-files.ts'
import { UsageError } from './flags.ts'

const CONFIG_FILE = 'proxmcp.config.ts'

export interface InitRequest {
  /** A client's name (its usual config file is read) or the path of an MCP client config file. */
  from?: string
  force: boolean
  places: Places
}

export interface InitResult {
  path: string
  /** The file the servers come from, and how many it has. */
  source?: { path: string; servers: number }
}

/**
 * Writes a starter `proxmcp.config.ts` in the current folder, never over an existing one without
 * `force`. With `from`, its upstreams are that file's servers, read again at each start (so no
 * secret is copied); the file is read once now so that its problems show at once.
 */
export async function initConfig({ from, force, places }: InitRequest): Promise<InitResult> {
  const path = resolve(places.cwd, CONFIG_FILE)
  if (existsSync(path) && !force) throw new UsageError(`${path} exists: pass --force to replace it`)
  const source = from === undefined ? undefined : findSource(from, places)
  const servers = source === undefined ? undefined : (await importMcpServers(source)).length
  writeFileSync(path, starterConfig(source))
  return { path, ...(source !== undefined && { source: { path: source, servers: servers ?? 0 } }) }
}

function findSource(from: string, places: Places): string {
  if (!(CLIENTS as readonly string[]).includes(from)) {
    const path = resolve(places.cwd, from)
    if (!existsSync(path))
      throw new UsageError(`--from ${from}: no such file, and not one of ${CLIENTS.join(', ')}`)
    return path
  }
  const candidates = clientConfigPaths(from as ClientName, places)
  const found = candidates.find((candidate) => existsSync(candidate))
  if (!found) throw new UsageError(`--from ${from}: none of ${candidates.join(', ')} exists`)
  return found
}

function starterConfig(source: string | undefined): string {
  const upstreams = source
    ? `  // The servers of ${source}, read again at each start.\n  upstreams: await importMcpServers(${JSON.stringify(source)}),`
    : `  upstreams: [\n    { id: 'remote', url: 'http://localhost:3001/mcp' },\n    { id: 'local', command: ['npx', '-y', '@modelcontextprotocol/server-everything'] },\n  ],`
  return `import { defineConfig, importMcpServers, loggerPlugin } from '@proxmcp/core'

export default defineConfig({
  port: 3000,
${upstreams}
  plugins: [
    // authPlugin({ mode: 'apikey', keys: process.env.PROXMCP_API_KEY! }),
    // rateLimitPlugin({ limit: 300, windowMs: 60_000 }),
    loggerPlugin({ format: 'pretty' }),
  ],
})
`
}
