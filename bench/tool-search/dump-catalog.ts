/**
 * Writes catalog.json: every tool each published MCP server in test/compat lists, exactly as it
 * lists them, for evaluating tool search. Run with `bun bench/tool-search/dump-catalog.ts`.
 *
 * Each server runs over stdio in a temporary directory of its own, offline, with its loopback API
 * stand-in where it has one, and is asked for its tools as ProxMCP asks a stdio upstream.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Client } from '@modelcontextprotocol/client'
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio'
import { looseResult } from '../../src/upstream/loose-result.ts'
import {
  commandOf,
  envOf,
  PUBLISHED_SERVERS,
  type PublishedServer,
  prepareWorkDir,
} from '../../test/compat/published-servers.ts'

const OUTPUT = join(import.meta.dir, 'catalog.json')
const TIMEOUT_MS = 60_000

/** What ProxMCP declares to a stdio upstream; some servers list tools by it (server-everything). */
const CAPABILITIES = { sampling: {}, elicitation: { form: {}, url: {} } }

async function toolsOf(server: PublishedServer): Promise<unknown[]> {
  const workDir = await mkdtemp(join(tmpdir(), 'proxmcp-catalog-'))
  await prepareWorkDir(server, workDir)
  const api = server.api && Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: server.api })
  const [command, ...args] = commandOf(server, workDir) as [string, ...string[]]
  const env = envOf(server, workDir, `http://127.0.0.1:${api?.port}`)
  const transport = new StdioClientTransport({ command, args, env, cwd: workDir, stderr: 'ignore' })
  const client = new Client({ name: 'dump-catalog', version: '1.0.0' }, { capabilities: CAPABILITIES })
  client.onerror = () => {} // Lines on stdout that are not JSON-RPC (banners) are skipped.
  try {
    await client.connect(transport)
    const tools: unknown[] = []
    let cursor: unknown
    do {
      const params = typeof cursor === 'string' ? { cursor } : {}
      const page = await client.request({ method: 'tools/list', params }, looseResult, {
        timeout: TIMEOUT_MS,
      })
      tools.push(...((page.tools as unknown[] | undefined) ?? []))
      cursor = page.nextCursor
    } while (typeof cursor === 'string' && cursor !== '')
    return tools
  } finally {
    await client.close().catch(() => {}) // Ends its stdin, then SIGTERM, then SIGKILL.
    await api?.stop(true)
    await rm(workDir, { recursive: true, force: true })
  }
}

const started = performance.now()
const results = await Promise.allSettled(PUBLISHED_SERVERS.map(toolsOf))
const catalog = []
for (const [index, result] of results.entries()) {
  const server = (PUBLISHED_SERVERS[index] as PublishedServer).package
  if (result.status === 'fulfilled') catalog.push({ server, tools: result.value })
  else console.error(`${server}: failed: ${result.reason}`)
}
await writeFile(OUTPUT, `${JSON.stringify(catalog, null, 2)}\n`)
// Formatted as `biome check` wants it, so a regenerated catalog passes the repo's checks.
Bun.spawnSync([join(import.meta.dir, '../../node_modules/.bin/biome'), 'format', '--write', OUTPUT])
const toolCount = catalog.reduce((sum, entry) => sum + entry.tools.length, 0)
const seconds = ((performance.now() - started) / 1000).toFixed(1)
console.log(`${catalog.length} servers, ${toolCount} tools in ${seconds} s → ${OUTPUT}`)
process.exit(results.some((result) => result.status === 'rejected') ? 1 : 0)
