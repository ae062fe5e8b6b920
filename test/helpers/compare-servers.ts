import { Client, SSEClientTransport } from '@modelcontextprotocol/client'
import { Client as V1Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js'
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

/** A stdio server reached directly, the way a client without the proxy would (the v1 SDK client). */
export async function directStdio(command: string[], env?: Record<string, string>): Promise<Peer> {
  const client = new V1Client({ name: 'direct-client', version: '1.0.0' }, { capabilities: {} })
  const [program, ...args] = command as [string, ...string[]]
  await client.connect(
    new StdioClientTransport({
      command: program,
      args,
      env: { ...(process.env as JsonObject), ...env } as never,
      stderr: 'ignore',
    }),
  )
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
): Promise<Peer> {
  let client: Client
  if (via === 'mcp') client = await connectClient(mcpUrl, { era })
  else {
    client = new Client({ name: 'sse-client', version: '1.0.0' }, { capabilities: {} })
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
