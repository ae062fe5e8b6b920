/**
 * `npm start`: ProxMCP on http://localhost:3000/mcp in front of two demo upstreams, our own small
 * server over HTTP and the reference "everything" server over stdio. Extra flags pass through.
 */
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { main } from '../src/cli/command.ts'
import { serveWithBun, spawnWithBun } from '../src/runtime/bun.ts'
import { serveDemoServer } from './demo-server.ts'

const everythingPackage = createRequire(import.meta.url).resolve(
  '@modelcontextprotocol/server-everything/package.json',
)
const everything = join(dirname(everythingPackage), 'dist/index.js')
const demo = serveDemoServer()

await main(['--upstream', demo.url, '--stdio', `node ${everything} stdio`, ...process.argv.slice(2)], {
  spawn: spawnWithBun,
  serve: serveWithBun,
  importConfig: async (path) => (await import(path)).default,
})
