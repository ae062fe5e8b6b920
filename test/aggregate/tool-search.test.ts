import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Client, SSEClientTransport } from '@modelcontextprotocol/client'
import { authPlugin, loggerPlugin, toolFilterPlugin } from '../../src/index.ts'
import { type RunningFixture, serveV1Http } from '../fixtures/v1-server.ts'
import { answeringSampling, type ClientEra, connectClient } from '../helpers/clients.ts'
import { startProxy, type TestProxy } from '../helpers/start-proxy.ts'
import { waitFor } from '../helpers/wait.ts'

const ALICE = 'alice-key-0123456789abcdef'
const BOB = 'bob-key-0123456789abcdef'
const requestLog: string[] = []

let alpha: RunningFixture
let beta: RunningFixture
let proxy: TestProxy

beforeAll(async () => {
  alpha = serveV1Http({ name: 'alpha' })
  beta = serveV1Http({ name: 'beta' })
  proxy = await startProxy({
    upstreams: [
      { id: 'alpha', url: alpha.url },
      { id: 'beta', url: beta.url },
    ],
    namespace: true,
    toolSearch: { pinned: ['alpha__echo'] },
    plugins: [
      // Bob may call alpha's tools only, and never its `sample`.
      authPlugin({
        mode: 'apikey',
        keys: { alice: ALICE, bob: BOB },
        access: { alice: ['*'], bob: ['alpha__*'] },
      }),
      loggerPlugin({ format: 'json', sink: (line) => void requestLog.push(line) }),
    ],
  })
})
afterAll(async () => {
  await proxy.stop()
  await Promise.all([alpha.close(), beta.close()])
})

const as = (key: string) => ({ authorization: `Bearer ${key}` })
type Found = { tools: { name: string; description?: string; inputSchema: unknown }[] }

describe.each(['legacy', 'modern'] as ClientEra[])('%s-era clients', (era) => {
  test('list the two meta-tools and the pinned tool, not the catalog', async () => {
    const client = await connectClient(proxy.url, { era, headers: as(ALICE) })
    const { tools } = await client.listTools()
    await client.close()
    expect(tools.map((tool) => tool.name)).toEqual(['search_tools', 'call_tool', 'alpha__echo'])
    expect(tools[0]?.description).toContain('among the 24 tools')
  })

  test('search_tools finds a tool by what it does, with its description and input schema', async () => {
    const client = await connectClient(proxy.url, { era, headers: as(ALICE) })
    const result = await client.callTool({
      name: 'search_tools',
      arguments: { query: 'ask the user for their name', limit: 2 },
    })
    await client.close()
    const found = result.structuredContent as Found
    expect(found.tools).toHaveLength(2)
    expect(found.tools.map((tool) => tool.name)).toContain('alpha__ask_name')
    expect(found.tools[0]?.inputSchema).toMatchObject({ type: 'object' })
    expect(JSON.parse((result.content as { text: string }[])[0]?.text ?? '')).toEqual(found)
  })

  test('call_tool runs the named tool through the normal call path, logged under its real name', async () => {
    const client = await connectClient(proxy.url, { era, headers: as(ALICE) })
    requestLog.length = 0
    const result = await client.callTool({
      name: 'call_tool',
      arguments: { name: 'beta__echo', arguments: { text: 'via search' } },
    })
    await client.close()
    expect(result.content).toEqual([{ type: 'text', text: 'beta:via search' }])
    const logged = requestLog.map((line) => JSON.parse(line)).find((entry) => entry.method === 'tools/call')
    expect(logged).toMatchObject({ name: 'beta__echo', upstream: 'beta', identity: 'alice' })
  })

  test('an identity finds and calls only the tools it may see', async () => {
    const client = await connectClient(proxy.url, { era, headers: as(BOB) })
    const { tools } = await client.listTools()
    expect(tools[0]?.description).toContain('among the 12 tools')
    const found = (
      await client.callTool({ name: 'search_tools', arguments: { query: 'echo text back', limit: 20 } })
    ).structuredContent as Found
    expect(found.tools.map((tool) => tool.name)).toContain('alpha__echo')
    expect(found.tools.some((tool) => tool.name.startsWith('beta__'))).toBe(false)
    const refused = client.callTool({ name: 'call_tool', arguments: { name: 'beta__echo', arguments: {} } })
    await expect(refused).rejects.toThrow('Unknown tool: beta__echo')
    await client.close()
  })

  test('a sampling request raised by a tool called through call_tool reaches the calling client', async () => {
    const client = await connectClient(proxy.url, {
      era,
      headers: as(ALICE),
      ...answeringSampling(`hi from the ${era} model`),
    })
    const result = await client.callTool({ name: 'call_tool', arguments: { name: 'alpha__sample' } })
    await client.close()
    expect(result.content).toEqual([{ type: 'text', text: `model said hi from the ${era} model` }])
  })

  test('bad meta-tool arguments get -32602 with a message that says what is wrong', async () => {
    const client = await connectClient(proxy.url, { era, headers: as(ALICE) })
    await expect(client.callTool({ name: 'search_tools', arguments: { query: ' ' } })).rejects.toThrow(
      'Invalid arguments for search_tools: query must be a non-empty string',
    )
    await expect(client.callTool({ name: 'call_tool', arguments: { arguments: {} } })).rejects.toThrow(
      'Invalid arguments for call_tool: name must be the name of a tool',
    )
    await client.close()
  })
})

test('an HTTP+SSE client gets the same meta-tools and calls through call_tool', async () => {
  const client = new Client({ name: 'sse-client', version: '1.0.0' })
  await client.connect(
    new SSEClientTransport(new URL(proxy.url.replace(/\/mcp$/, '/sse')), {
      requestInit: { headers: as(ALICE) },
      eventSourceInit: {
        fetch: (url, init) => fetch(url, { ...init, headers: { ...init?.headers, ...as(ALICE) } }),
      },
    }),
  )
  expect((await client.listTools()).tools.map((tool) => tool.name)).toEqual([
    'search_tools',
    'call_tool',
    'alpha__echo',
  ])
  const result = await client.callTool({
    name: 'call_tool',
    arguments: { name: 'alpha__echo', arguments: { text: 'sse' } },
  })
  expect(result.content).toEqual([{ type: 'text', text: 'alpha:sse' }])
  await client.close()
})

test('a reload turns tool search on and off, and connected clients are told to list again', async () => {
  const config = { upstreams: [{ id: 'alpha', url: alpha.url }] }
  const reloaded = await startProxy(config)
  let listChanged = 0
  const client = await connectClient(reloaded.url, {
    setup: (c) =>
      c.setNotificationHandler('notifications/tools/list_changed', async () => void listChanged++),
  })
  const listed = async () => (await client.listTools()).tools.map((tool) => tool.name)
  try {
    expect(await listed()).toContain('echo')
    await reloaded.proxy.reload({ ...config, toolSearch: { pinned: ['echo'] } })
    await waitFor(() => listChanged > 0, 'list_changed after turning tool search on')
    expect(await listed()).toEqual(['search_tools', 'call_tool', 'echo'])
    await reloaded.proxy.reload(config)
    await waitFor(() => listChanged > 1, 'list_changed after turning it off')
    expect(await listed()).toContain('sample')
    expect(reloaded.logs.filter((line) => line.includes('takes effect at the next restart'))).toEqual([])
  } finally {
    await client.close()
    await reloaded.stop()
  }
})

test.each(['legacy', 'modern'] as ClientEra[])(
  "with tool search on, search_tools is the proxy's even where a tool of that name exists (%s era)",
  async (era) => {
    // A rename makes alpha's echo a tool named search_tools: the 2025-era fast path must not take it.
    const shadowed = await startProxy({
      upstreams: [{ id: 'alpha', url: alpha.url }],
      toolSearch: { pinned: ['search_tools'] },
      plugins: [toolFilterPlugin({ rename: { echo: 'search_tools' } })],
    })
    try {
      const client = await connectClient(shadowed.url, { era })
      expect((await client.listTools()).tools.map((tool) => tool.name)).toEqual(['search_tools', 'call_tool'])
      const result = await client.callTool({ name: 'search_tools', arguments: { query: 'roots' } })
      expect((result.structuredContent as Found).tools.map((tool) => tool.name)).toContain('list_roots')
      await client.close()
    } finally {
      await shadowed.stop()
    }
  },
)

test('a search is audited and counted as a call the proxy answered, and onResult sees its answer', async () => {
  const folder = mkdtempSync(join(tmpdir(), 'proxmcp-search-audit-'))
  const file = join(folder, 'audit.log')
  const seen: string[] = []
  const failed: string[] = []
  const audited = await startProxy({
    upstreams: [{ id: 'alpha', url: alpha.url }],
    toolSearch: true,
    audit: { file },
    plugins: [
      {
        name: 'result-watcher',
        onResult: (ctx, result) => {
          seen.push(String(ctx.rpc?.params?.name))
          const query = (ctx.rpc?.params?.arguments as { query?: string } | undefined)?.query
          if (query === 'something forbidden') throw new Error('this search is not allowed')
          return result
        },
        onError: (_ctx, error) => void failed.push((error as Error).message),
      },
    ],
  })
  try {
    const client = await connectClient(audited.url)
    await client.callTool({ name: 'search_tools', arguments: { query: 'echo text back' } })
    await expect(client.callTool({ name: 'search_tools', arguments: { query: ' ' } })).rejects.toThrow(
      'query must be a non-empty string',
    )
    await expect(
      client.callTool({ name: 'search_tools', arguments: { query: 'something forbidden' } }),
    ).rejects.toThrow("plugin 'result-watcher'")
    await client.close()
    const metrics = await (await fetch(new URL('/metrics', audited.url))).text()
    expect(metrics).toContain('proxmcp_tool_searches_total{outcome="ok"} 1')
    expect(metrics).toContain('proxmcp_tool_searches_total{outcome="error"} 2')
    expect(seen).toEqual(['search_tools', 'search_tools'])
    expect(failed).toHaveLength(2)
    const searches = await waitFor(() => {
      if (!existsSync(file)) return undefined
      const found = readFileSync(file, 'utf8')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line))
        .filter((line) => line.name === 'search_tools')
      return found.length === 3 ? found : undefined
    }, 'three audited searches')
    expect(searches[0]).toMatchObject({
      event: 'call',
      method: 'tools/call',
      answeredBy: 'proxy',
      outcome: 'ok',
    })
    expect(searches[0]).not.toHaveProperty('upstream')
    expect(typeof searches[0].argumentsSha256).toBe('string')
    expect(searches[1]).toMatchObject({ outcome: 'error', errorCode: -32602 })
    expect(searches[2]).toMatchObject({ answeredBy: 'proxy', outcome: 'error' })
  } finally {
    await audited.stop()
    rmSync(folder, { recursive: true, force: true })
  }
})
