import { afterAll, beforeAll, expect, test } from 'bun:test'
import { servePagedServer } from '../fixtures/paged-server.ts'
import { connectClient } from '../helpers/clients.ts'
import { startProxy, type TestProxy } from '../helpers/start-proxy.ts'

const TOOLS = 250
let paged: ReturnType<typeof servePagedServer>
let proxy: TestProxy

beforeAll(async () => {
  paged = servePagedServer({ tools: TOOLS, pageSize: 40 })
  proxy = await startProxy({ upstreams: [{ id: 'paged', url: paged.url }], pageSize: 100 })
})
afterAll(async () => {
  await proxy.stop()
  await paged.stop()
})

test.each(['legacy', 'modern'] as const)(
  'upstream cursors are followed to the end and the merged list is paged downstream (%s era)',
  async (era) => {
    const client = await connectClient(proxy.url, { era })
    const pages: string[][] = []
    let cursor: string | undefined
    do {
      // One page per request: client.listTools() without a cursor would walk every page itself.
      const page = await client.request({
        method: 'tools/list',
        params: cursor === undefined ? {} : { cursor },
      })
      pages.push(page.tools.map((tool) => tool.name))
      cursor = page.nextCursor
    } while (cursor !== undefined && pages.length < 10)
    expect(pages.map((page) => page.length)).toEqual([100, 100, 50])
    expect(new Set(pages.flat()).size).toBe(TOOLS)
    expect((await client.callTool({ name: 'tool_0249', arguments: {} })).content).toEqual([
      { type: 'text', text: 'called tool_0249' },
    ])
    await client.close()
  },
)

test('an invalid cursor is a clear -32602 error', async () => {
  const client = await connectClient(proxy.url)
  const failure = await client.listTools({ cursor: 'not-a-cursor' }).catch((error) => error)
  expect(failure.code).toBe(-32602)
  expect(failure.message).toContain('Invalid cursor')
  await client.close()
})
