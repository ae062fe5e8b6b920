import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { Client, StreamableHTTPClientTransport, type Transport } from '@modelcontextprotocol/client'
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio'
import { serveV1Http } from '../fixtures/v1-server.ts'
import { serveV2Http } from '../fixtures/v2-server.ts'
import { withoutServerInfo } from '../helpers/clients.ts'
import { connectMatrixClient, ELICITED_NAME, MATRIX_CLIENTS } from '../helpers/matrix-clients.ts'
import { startProxy, type TestProxy } from '../helpers/start-proxy.ts'

interface MatrixUpstream {
  config: { id: string; url?: string; command?: string[] }
  /** A transport for a direct connection, to compare against. */
  direct(): Transport
  /** What the upstream saw, where it runs in this process. */
  events?: string[]
  close(): Promise<void>
}

const STDIO = [process.execPath, 'test/fixtures/v1-server.ts', '--name', 'three']

const UPSTREAMS: Record<string, () => MatrixUpstream> = {
  'v1 server over Streamable HTTP': () => {
    const server = serveV1Http({ name: 'one' })
    return {
      config: { id: 'one', url: server.url },
      direct: () => new StreamableHTTPClientTransport(new URL(server.url)),
      events: server.events,
      close: server.close,
    }
  },
  'v2 server serving both eras': () => {
    const server = serveV2Http({ name: 'two' })
    return {
      config: { id: 'two', url: server.url },
      direct: () => new StreamableHTTPClientTransport(new URL(server.url)),
      events: server.events,
      close: server.close,
    }
  },
  'v1 server over stdio': () => ({
    config: { id: 'three', command: STDIO },
    direct: () => new StdioClientTransport({ command: STDIO[0] as string, args: STDIO.slice(1) }),
    close: async () => {},
  }),
}

const comparable = (tool: Record<string, unknown>) => ({
  name: tool.name,
  description: tool.description,
  inputSchema: tool.inputSchema,
})

describe.each(Object.keys(UPSTREAMS))('upstream: %s', (upstreamKind) => {
  let upstream: MatrixUpstream
  let proxy: TestProxy
  let direct: Client

  beforeAll(async () => {
    upstream = (UPSTREAMS[upstreamKind] as () => MatrixUpstream)()
    proxy = await startProxy({ upstreams: [upstream.config] })
    direct = new Client({ name: 'direct', version: '1.0.0' }, { versionNegotiation: { mode: 'auto' } })
    await direct.connect(upstream.direct())
  })
  afterAll(async () => {
    await direct.close()
    await proxy.stop()
    await upstream.close()
  })

  test.each(MATRIX_CLIENTS)(
    '%s: lists, calls, reads, gets, sees progress, answers an elicitation',
    async (clientKind) => {
      const client = await connectMatrixClient(clientKind, proxy.url)
      try {
        const tools = await client.listTools()
        expect(tools.map(comparable)).toEqual((await direct.listTools()).tools.map(comparable))

        for (const [name, args] of [
          ['echo', { text: 'cell' }],
          ['fail', {}],
        ] as const) {
          const expected = await direct.callTool({ name, arguments: args })
          expect(withoutServerInfo(await client.callTool(name, args))).toEqual(
            withoutServerInfo(expected as never),
          )
        }

        const id = upstream.config.id
        expect((await client.readResource(`fixture://${id}/info`)).contents).toEqual([
          { uri: `fixture://${id}/info`, text: `info of ${id}` },
        ])
        expect((await client.getPrompt('greet', { who: 'Bea' })).messages).toEqual([
          { role: 'user', content: { type: 'text', text: `${id} greets Bea` } },
        ])

        const progress: number[] = []
        const done = await client.callTool('progress', { steps: 3 }, (update) =>
          progress.push(update.progress as number),
        )
        expect(done.content).toEqual([{ type: 'text', text: 'done after 3 steps' }])
        expect(progress).toEqual([1, 2, 3])

        const greeted = await client.callTool('ask_name', {})
        expect(greeted.content).toEqual([{ type: 'text', text: `hello ${ELICITED_NAME}` }])
        if (upstream.events)
          expect(upstream.events.at(-1)).toBe(`elicited:${JSON.stringify({ name: ELICITED_NAME })}`)
      } finally {
        await client.close()
      }
    },
  )
})
