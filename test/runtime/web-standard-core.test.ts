import { expect, test } from 'bun:test'
import { Glob } from 'bun'

/** Only the runtime adapters and the CLI may touch Bun or node:*, so the core runs on Workers and Deno. */
const EDGE = /^(runtime|cli)\//
const RUNTIME_API = /from ['"](bun|node:[a-z_/]+)['"]|import\(['"](bun|node:[a-z_/]+)['"]\)|\bBun\.[a-z]/
/** Public functions that read files, loading node:* only when called: a Worker that never calls them never loads it. */
const LOADS_NODE_WHEN_CALLED = new Set(['config/import-mcp-servers.ts'])

test('nothing outside src/runtime and src/cli imports bun or node:*', async () => {
  const offenders: string[] = []
  for await (const path of new Glob('**/*.ts').scan('src')) {
    if (EDGE.test(path) || LOADS_NODE_WHEN_CALLED.has(path)) continue
    if (RUNTIME_API.test(await Bun.file(`src/${path}`).text())) offenders.push(path)
  }
  expect(offenders).toEqual([])
})
