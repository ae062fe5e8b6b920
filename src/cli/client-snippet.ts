import type { ClientName } from './client-files.ts'

export interface Endpoint {
  /** ProxMCP's Streamable HTTP endpoint, `http://127.0.0.1:3000/mcp`. */
  url: string
  /** The API key clients must send, when the proxy requires one. */
  apiKey?: string
}

/**
 * The entry that points a client at ProxMCP, in that client's own format. Claude Desktop's file
 * holds only local commands, so it reaches the URL through `mcp-remote`, with the key read from
 * an environment variable of that entry rather than written into the arguments.
 */
export function clientSnippet(client: ClientName, { url, apiKey }: Endpoint): string {
  const headers = apiKey ? { headers: { Authorization: `Bearer ${apiKey}` } } : {}
  switch (client) {
    case 'claude':
      return json({
        mcpServers: {
          proxmcp: {
            command: 'npx',
            // mcp-remote expands the variable; spaces in arguments break it on Windows.
            args: [
              '-y',
              'mcp-remote',
              url,
              ...(apiKey ? ['--header', `Authorization:$\{PROXMCP_AUTH}`] : []),
            ],
            ...(apiKey && { env: { PROXMCP_AUTH: `Bearer ${apiKey}` } }),
          },
        },
      })
    case 'cursor':
      return json({ mcpServers: { proxmcp: { url, ...headers } } })
    case 'windsurf':
      return json({ mcpServers: { proxmcp: { serverUrl: url, ...headers } } })
    case 'vscode':
      return json({ servers: { proxmcp: { type: 'http', url, ...headers } } })
    case 'claude-code':
      return json({ mcpServers: { proxmcp: { type: 'http', url, ...headers } } })
  }
}

function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`
}
