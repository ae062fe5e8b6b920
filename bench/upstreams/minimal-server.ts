/**
 * The start-up floor: a Bun.serve that answers any POST with a canned `initialize` result, no MCP
 * library. Compiled like ProxMCP, it shows what any executable needs here to answer at all.
 *   minimal-server --port N
 */
import { parseArgs } from 'node:util'

const { values } = parseArgs({ options: { port: { type: 'string' } } })
const result = {
  protocolVersion: '2025-11-25',
  capabilities: {},
  serverInfo: { name: 'minimal', version: '1.0.0' },
}

Bun.serve({
  port: Number(values.port),
  hostname: '127.0.0.1',
  async fetch(request) {
    const body = (await request.json()) as { id?: number | string }
    return Response.json({ jsonrpc: '2.0', id: body.id ?? null, result })
  },
})
