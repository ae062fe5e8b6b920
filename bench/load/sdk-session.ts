import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client'
import type { Session } from './session.ts'

/** A 2025-era session through the v2 SDK client, as a real MCP host would hold one. */
export async function openSdkSession(url: string): Promise<Session> {
  const client = new Client(
    { name: 'proxmcp-bench', version: '1.0.0' },
    { capabilities: {}, versionNegotiation: { mode: 'legacy' } },
  )
  const transport = new StreamableHTTPClientTransport(new URL(url))
  await client.connect(transport)
  return {
    async request(method, params) {
      if (method === 'tools/list') {
        return (await client.listTools(params, { cacheMode: 'bypass' })) as Record<string, unknown>
      }
      if (method === 'tools/call') {
        return (await client.callTool(
          params as { name: string; arguments: Record<string, unknown> },
        )) as Record<string, unknown>
      }
      throw new Error(`the SDK session does not send ${method}`)
    },
    async close() {
      await transport.terminateSession().catch(() => {})
      await client.close()
    },
  }
}
