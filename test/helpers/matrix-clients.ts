import { Client as V1Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport as V1Transport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js'
import { connectClient } from './clients.ts'

type Json = Record<string, unknown>

/** The calls the era matrix makes, whichever SDK generation the client comes from. */
export interface MatrixClient {
  listTools(): Promise<Json[]>
  callTool(name: string, args: Json, onprogress?: (progress: Json) => void): Promise<Json>
  readResource(uri: string): Promise<Json>
  getPrompt(name: string, args: Record<string, string>): Promise<Json>
  close(): Promise<void>
}

/** What every matrix client answers when an upstream asks for a name. */
export const ELICITED_NAME = 'Ada'

export type MatrixClientKind = 'v1 client (2025-11-25)' | 'v2 client (2025 era)' | 'v2 client (2026-07-28)'

export const MATRIX_CLIENTS: MatrixClientKind[] = [
  'v1 client (2025-11-25)',
  'v2 client (2025 era)',
  'v2 client (2026-07-28)',
]

export function connectMatrixClient(kind: MatrixClientKind, url: string): Promise<MatrixClient> {
  return kind === 'v1 client (2025-11-25)'
    ? connectV1(url)
    : connectV2(url, kind === 'v2 client (2026-07-28)')
}

async function connectV1(url: string): Promise<MatrixClient> {
  const client = new V1Client({ name: 'matrix-v1', version: '1.0.0' }, { capabilities: { elicitation: {} } })
  client.setRequestHandler(ElicitRequestSchema, async () => ({
    action: 'accept',
    content: { name: ELICITED_NAME },
  }))
  await client.connect(new V1Transport(new URL(url)))
  return {
    listTools: async () => (await client.listTools()).tools as Json[],
    callTool: (name, args, onprogress) =>
      client.callTool(
        { name, arguments: args },
        undefined,
        onprogress ? { onprogress } : undefined,
      ) as Promise<Json>,
    readResource: (uri) => client.readResource({ uri }) as Promise<Json>,
    getPrompt: (name, args) => client.getPrompt({ name, arguments: args }) as Promise<Json>,
    close: () => client.close(),
  }
}

async function connectV2(url: string, modern: boolean): Promise<MatrixClient> {
  const client = await connectClient(url, {
    era: modern ? 'modern' : 'legacy',
    capabilities: { elicitation: { form: {} } },
    setup: (c) =>
      c.setRequestHandler('elicitation/create', async () => ({
        action: 'accept',
        content: { name: ELICITED_NAME },
      })),
  })
  return {
    listTools: async () => (await client.listTools()).tools as Json[],
    callTool: (name, args, onprogress) =>
      client.callTool({ name, arguments: args }, onprogress ? { onprogress } : undefined) as Promise<Json>,
    readResource: (uri) => client.readResource({ uri }) as Promise<Json>,
    getPrompt: (name, args) => client.getPrompt({ name, arguments: args }) as Promise<Json>,
    close: () => client.close(),
  }
}
