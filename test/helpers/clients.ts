import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client'

/** A v2 SDK client, as a real MCP client would connect: 2025 era by default, or 2026-07-28. */
export async function connectClient(
  url: string,
  options: {
    era?: 'legacy' | 'modern'
    capabilities?: ConstructorParameters<typeof Client>[1] extends infer O
      ? O extends { capabilities?: infer C }
        ? C
        : never
      : never
  } = {},
): Promise<Client> {
  const client = new Client(
    { name: 'test-client', version: '1.0.0' },
    {
      capabilities: options.capabilities ?? {},
      versionNegotiation: { mode: options.era === 'modern' ? { pin: '2026-07-28' } : 'legacy' },
    },
  )
  await client.connect(new StreamableHTTPClientTransport(new URL(url)))
  return client
}
