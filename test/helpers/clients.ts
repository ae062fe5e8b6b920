import { Client, type ClientCapabilities, StreamableHTTPClientTransport } from '@modelcontextprotocol/client'

export type ClientEra = 'legacy' | 'modern'

/** A v2 SDK client, as a real MCP client would connect: 2025 era by default, or 2026-07-28. */
export async function connectClient(
  url: string,
  options: {
    era?: ClientEra
    capabilities?: ClientCapabilities
    setup?: (client: Client) => void
    /** Sent on every HTTP request (credentials, for instance). */
    headers?: Record<string, string>
  } = {},
): Promise<Client> {
  const client = new Client(
    { name: 'test-client', version: '1.0.0' },
    {
      capabilities: options.capabilities ?? {},
      versionNegotiation: { mode: options.era === 'modern' ? { pin: '2026-07-28' } : 'legacy' },
    },
  )
  options.setup?.(client)
  await client.connect(
    new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: options.headers } }),
  )
  return client
}

/** Client options that declare sampling and answer every sampling request with `text`. */
export function answeringSampling(text: string): {
  capabilities: ClientCapabilities
  setup: (client: Client) => void
} {
  return {
    capabilities: { sampling: {} },
    setup: (client) =>
      client.setRequestHandler('sampling/createMessage', async () => ({
        role: 'assistant',
        content: { type: 'text', text },
        model: 'test-model',
      })),
  }
}

/** A result without what only says who answered (`serverInfo` stamped into 2026-07-28 results). */
export function withoutServerInfo<T extends { _meta?: Record<string, unknown> }>(result: T): T {
  if (!result._meta) return result
  const { 'io.modelcontextprotocol/serverInfo': _serverInfo, ...meta } = result._meta
  return Object.keys(meta).length ? { ...result, _meta: meta } : (({ _meta, ...rest }) => rest as T)(result)
}
