import { createMcpHandler, McpServer } from '@modelcontextprotocol/server'
import * as z from 'zod/v4'

/** A small upstream of our own for the demo: speaks both protocol eras over Streamable HTTP. */
export function createDemoServer(): McpServer {
  const server = new McpServer({ name: 'proxmcp-demo', version: '1.0.0' })
  server.registerTool(
    'roll_dice',
    {
      description: 'Rolls dice and returns the total',
      inputSchema: z.object({
        count: z.number().int().min(1).max(100).default(1),
        sides: z.number().int().min(2).default(6),
      }),
      outputSchema: z.object({ rolls: z.array(z.number()), total: z.number() }),
    },
    async ({ count, sides }) => {
      const rolls = Array.from({ length: count }, () => 1 + Math.floor(Math.random() * sides))
      const total = rolls.reduce((sum, roll) => sum + roll, 0)
      return {
        content: [{ type: 'text', text: `rolled ${rolls.join(' + ')} = ${total}` }],
        structuredContent: { rolls, total },
      }
    },
  )
  server.registerTool('current_time', { description: 'The current time, in UTC' }, async () => ({
    content: [{ type: 'text', text: new Date().toISOString() }],
  }))
  return server
}

/** Serves the demo server on a free loopback port. */
export function serveDemoServer(port = 0): { url: string; stop(): Promise<void> } {
  const handler = createMcpHandler(() => createDemoServer())
  const server = Bun.serve({ port, hostname: '127.0.0.1', fetch: (request) => handler.fetch(request) })
  return { url: `http://127.0.0.1:${server.port}/mcp`, stop: () => server.stop(true) }
}
