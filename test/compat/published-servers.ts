import { dirname, join } from 'node:path'
import type { JsonObject } from '../helpers/compare-servers.ts'

/** A published MCP server from npm, pinned in package.json, and how to run it offline without keys. */
export interface PublishedServer {
  /** Its npm package; the version is the one package.json pins. */
  package: string
  /** Arguments after its entry script; `workDir` is an empty temporary directory of its own. */
  args?: (workDir: string) => string[]
  env?: (workDir: string) => Record<string, string>
  /** One call that changes nothing and answers the same every time. */
  call: { method: string; params: JsonObject }
}

export const PUBLISHED_SERVERS: PublishedServer[] = [
  {
    package: '@modelcontextprotocol/server-everything',
    args: () => ['stdio'],
    call: { method: 'tools/call', params: { name: 'echo', arguments: { message: 'through the proxy' } } },
  },
  {
    package: '@modelcontextprotocol/server-filesystem',
    args: (workDir) => [workDir],
    call: { method: 'tools/call', params: { name: 'list_allowed_directories', arguments: {} } },
  },
  {
    package: '@modelcontextprotocol/server-memory',
    env: (workDir) => ({ MEMORY_FILE_PATH: join(workDir, 'memory.jsonl') }),
    call: { method: 'tools/call', params: { name: 'read_graph', arguments: {} } },
  },
  {
    package: '@modelcontextprotocol/server-sequential-thinking',
    env: () => ({ DISABLE_THOUGHT_LOGGING: 'true' }),
    call: {
      method: 'tools/call',
      params: {
        name: 'sequentialthinking',
        arguments: { thought: 'One step', thoughtNumber: 1, totalThoughts: 1, nextThoughtNeeded: false },
      },
    },
  },
]

/** The command that runs a published server's entry script with Node, as `npx` would. */
export function commandOf(server: PublishedServer, workDir: string): string[] {
  const manifestPath = Bun.resolveSync(`${server.package}/package.json`, import.meta.dir)
  const manifest = require(manifestPath) as { bin: string | Record<string, string> }
  const bin = typeof manifest.bin === 'string' ? manifest.bin : (Object.values(manifest.bin)[0] as string)
  return ['node', join(dirname(manifestPath), bin), ...(server.args?.(workDir) ?? [])]
}

/** The version package.json pins, for test names and the README's list. */
export function versionOf(server: PublishedServer): string {
  return (require(Bun.resolveSync(`${server.package}/package.json`, import.meta.dir)) as { version: string })
    .version
}
