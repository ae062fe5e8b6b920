import { McpServer } from '@modelcontextprotocol/server'
import * as z from 'zod/v4'

export interface EchoServerOptions {
  /** Names this upstream's own tools: `<name>_echo` and `<name>_tool_<i>`. */
  name: string
  /** Extra tools beside the echo tools, so `tools/list` has something to merge. */
  fillerTools: number
}

/**
 * The cheapest useful upstream (v2 SDK): `echo` (shared by every instance), `<name>_echo` (unique,
 * for routing), and filler tools that do nothing.
 */
export function createEchoServer({ name, fillerTools }: EchoServerOptions): McpServer {
  const server = new McpServer({ name: `bench-${name}`, version: '1.0.0' })
  const echo = async ({ text }: { text: string }) => ({ content: [{ type: 'text' as const, text }] })
  const inputSchema = z.object({ text: z.string() })
  server.registerTool('echo', { description: 'Echoes text back', inputSchema }, echo)
  server.registerTool(`${name}_echo`, { description: `Echoes text back (${name})`, inputSchema }, echo)
  for (let index = 1; index <= fillerTools; index++) {
    server.registerTool(
      `${name}_tool_${index}`,
      { description: `Filler tool ${index} of ${name}`, inputSchema: z.object({ value: z.number() }) },
      async () => ({ content: [{ type: 'text' as const, text: 'ok' }] }),
    )
  }
  return server
}
