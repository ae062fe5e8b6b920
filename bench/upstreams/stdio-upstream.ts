/**
 * The stdio upstream of the bench: a 2025-era server on the v1 SDK (`@modelcontextprotocol/sdk`),
 * like most stdio servers in the wild, with a cheap `echo` tool and a few fillers.
 *   bun bench/upstreams/stdio-upstream.ts
 */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js'
import { z } from 'zod'

const FILLER_TOOLS = 10

const server = new McpServer({ name: 'bench-stdio', version: '1.0.0' })
const echo = async ({ text }: { text: string }) => ({ content: [{ type: 'text' as const, text }] })
server.registerTool('echo', { description: 'Echoes text back', inputSchema: { text: z.string() } }, echo)
for (let index = 1; index <= FILLER_TOOLS; index++) {
  server.registerTool(
    `stdio_tool_${index}`,
    { description: `Filler tool ${index}`, inputSchema: { value: z.number() } },
    async () => ({ content: [{ type: 'text' as const, text: 'ok' }] }),
  )
}
await server.connect(new StdioServerTransport())
