import { Client, type ClientCapabilities, SSEClientTransport } from '@modelcontextprotocol/client'
import { Client as V1Client } from '@modelcontextprotocol/sdk/client/index.js'
import { SSEClientTransport as V1SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js'
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js'
import { StreamableHTTPClientTransport as V1StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import type { Transport as V1Transport } from '@modelcontextprotocol/sdk/shared/transport.js'
import { z } from 'zod'
import { looseResult } from '../../src/upstream/loose-result.ts'
import { type ClientEra, connectClient } from './clients.ts'

export type JsonObject = Record<string, unknown>
export type Send = (method: string, params?: JsonObject) => Promise<JsonObject>

/** A client reduced to what a comparison needs: one request, and closing. */
export interface Peer {
  send: Send
  close(): Promise<void>
}

const LISTS = [
  ['tools/list', 'tools'],
  ['resources/list', 'resources'],
  ['resources/templates/list', 'resourceTemplates'],
  ['prompts/list', 'prompts'],
] as const

/** Every list a server answers, each followed to its last page; a list it refuses is its error code. */
export async function listEverything(send: Send): Promise<Record<string, unknown>> {
  const entries = await Promise.all(
    LISTS.map(async ([method, field]) => {
      const items: unknown[] = []
      let cursor: unknown
      try {
        do {
          const page = await send(method, cursor === undefined ? {} : { cursor })
          items.push(...((page[field] as unknown[] | undefined) ?? []))
          cursor = page.nextCursor
        } while (typeof cursor === 'string' && cursor !== '')
        return [field, items] as const
      } catch (error) {
        return [field, { error: (error as { code?: unknown }).code }] as const
      }
    }),
  )
  return Object.fromEntries(entries)
}

/** What the proxy lists for a server: its lists as they are, with a list it lacks as empty. */
export async function listedThroughProxy(direct: Peer): Promise<Record<string, unknown>> {
  const lists = await listEverything(direct.send)
  return Object.fromEntries(
    Object.entries(lists).map(([field, items]) => [field, Array.isArray(items) ? items : []]),
  )
}

/** A JSON-RPC error as a client sees it, without the `MCP error <code>:` prefix the v1 SDK adds. */
export function errorOf({ code, message }: { code?: unknown; message: string }): JsonObject {
  return { error: { code, message: message.replace(/^(MCP error -?\d+: )+/, '') } }
}

/** A stdio server reached directly, the way a client without the proxy would (the v1 SDK client). */
export function directStdio(
  command: string[],
  options: { env?: Record<string, string>; cwd?: string; capabilities?: ClientCapabilities } = {},
): Promise<Peer> {
  const [program, ...args] = command as [string, ...string[]]
  const env = { ...(process.env as Record<string, string>), ...options.env }
  const transport = new StdioClientTransport({
    command: program,
    args,
    env,
    cwd: options.cwd,
    stderr: 'ignore',
  })
  return directPeer(transport, options.capabilities)
}

/** An HTTP server reached directly over Streamable HTTP or the 2024-11-05 SSE transport. */
export function directHttp(url: string, transport: 'streamable-http' | 'sse'): Promise<Peer> {
  return directPeer(
    transport === 'sse'
      ? new V1SSEClientTransport(new URL(url))
      : new V1StreamableHTTPClientTransport(new URL(url)),
  )
}

async function directPeer(transport: V1Transport, capabilities: ClientCapabilities = {}): Promise<Peer> {
  const client = new V1Client({ name: 'direct-client', version: '1.0.0' }, { capabilities })
  await client.connect(transport)
  const loose = z.object({}).passthrough()
  return {
    send: (method, params) => client.request({ method, params } as never, loose) as Promise<JsonObject>,
    close: () => client.close(),
  }
}

/** The proxy reached as a client would: Streamable HTTP in either era, or the 2024-11-05 SSE transport. */
export async function proxiedPeer(
  mcpUrl: string,
  via: 'mcp' | 'sse',
  era: ClientEra = 'legacy',
  capabilities: ClientCapabilities = {},
): Promise<Peer> {
  let client: Client
  if (via === 'mcp') client = await connectClient(mcpUrl, { era, capabilities })
  else {
    client = new Client({ name: 'sse-client', version: '1.0.0' }, { capabilities })
    await client.connect(new SSEClientTransport(new URL(mcpUrl.replace(/\/mcp$/, '/sse'))))
  }
  return {
    send: (method, params) =>
      client.request({ method, params } as never, looseResult as never) as Promise<JsonObject>,
    close: () => client.close(),
  }
}

/** Where a client connects to the proxy: each downstream transport, and each era where it has two. */
export const DOWNSTREAMS = [
  ['mcp', 'legacy'],
  ['mcp', 'modern'],
  ['sse', 'legacy'],
] as const
