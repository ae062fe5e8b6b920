import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import type { ProxMCPContext, ProxMCPPlugin } from '../../src/index.ts'
import { type RunningFixture, serveV1Http } from '../fixtures/v1-server.ts'
import { connectClient } from '../helpers/clients.ts'
import { startProxy, type TestProxy } from '../helpers/start-proxy.ts'

let alpha: RunningFixture
beforeAll(() => {
  alpha = serveV1Http({ name: 'alpha' })
})
afterAll(() => alpha.close())

describe('hooks', () => {
  const calls: string[] = []
  const seen: ProxMCPContext[] = []
  let proxy: TestProxy
  const recorder = (name: string): ProxMCPPlugin => ({
    name,
    onInit: () => void calls.push(`${name}:init`),
    onRequest: (ctx) => {
      calls.push(`${name}:request:${ctx.rpc?.method}`)
      if (name === 'first') seen.push(ctx)
      return undefined
    },
    onResponse: (ctx, response) => void calls.push(`${name}:response:${ctx.rpc?.method}:${response.status}`),
    onError: (ctx, error) => void calls.push(`${name}:error:${ctx.upstream}:${(error as Error).message}`),
  })

  beforeAll(async () => {
    proxy = await startProxy({
      upstreams: [
        { id: 'alpha', url: alpha.url },
        { id: 'slow', url: alpha.url, timeoutMs: 200 },
      ],
      namespace: true,
      plugins: [recorder('first'), recorder('second')],
    })
  })
  afterAll(() => proxy.stop())

  test('run in plugin order, with the parsed JSON-RPC method and the client address', async () => {
    expect(calls.slice(0, 2)).toEqual(['first:init', 'second:init'])
    calls.length = 0
    const client = await connectClient(proxy.url)
    await client.callTool({ name: 'alpha__alpha_only', arguments: {} })
    await client.close()
    const toolCall = calls.filter((call) => call.includes('tools/call'))
    expect(toolCall).toEqual([
      'first:request:tools/call',
      'second:request:tools/call',
      'first:response:tools/call:200',
      'second:response:tools/call:200',
    ])
    const context = seen.find((ctx) => ctx.rpc?.method === 'tools/call') as ProxMCPContext
    expect(context.clientAddress).toBe('127.0.0.1')
    expect(context.sessionId).toBeString()
    expect(context.upstream).toBe('alpha')
    expect(context.rpc?.params?.name).toBe('alpha__alpha_only')
  })

  test('onError hears about an upstream that fails a call, naming the upstream', async () => {
    calls.length = 0
    const client = await connectClient(proxy.url)
    await client.callTool({ name: 'slow__wait', arguments: { ms: 5_000 } }).catch(() => undefined)
    await client.close()
    expect(calls).toContain("first:error:slow:upstream 'slow' did not answer within 200 ms")
    expect(calls).toContain("second:error:slow:upstream 'slow' did not answer within 200 ms")
  })
})

test.each(['legacy', 'modern'] as const)(
  'the first onRequest that answers ends the request (%s era)',
  async (era) => {
    const later: string[] = []
    const proxy = await startProxy({
      upstreams: [{ id: 'alpha', url: alpha.url }],
      plugins: [
        {
          name: 'gate',
          onRequest: (_ctx, request) =>
            request.headers.get('x-team') === 'blue'
              ? undefined
              : Response.json({ error: 'team required' }, { status: 403 }),
        },
        { name: 'after', onRequest: () => void later.push('reached') },
      ],
    })
    const refused = await connectClient(proxy.url, { era }).catch((error) => error)
    expect(String(refused)).toMatch(/team required|HTTP 403/)
    expect(later).toEqual([])
    await proxy.stop()
  },
)

test('a plugin that throws is answered with an error and logged; the proxy keeps serving', async () => {
  let failures = 0
  const proxy = await startProxy({
    upstreams: [{ id: 'alpha', url: alpha.url }],
    plugins: [
      {
        name: 'flaky',
        onRequest: (ctx) => {
          if (ctx.rpc?.method === 'tools/list' && failures++ === 0) throw new Error('boom')
          return undefined
        },
      },
    ],
  })
  const client = await connectClient(proxy.url)
  const failure = await client.listTools().catch((error) => error)
  expect(String(failure)).toContain("Internal error in plugin 'flaky'")
  expect(proxy.logs).toContain("error: plugin 'flaky' failed in onRequest: boom")
  expect((await client.listTools()).tools.length).toBeGreaterThan(0)
  await client.close()
  await proxy.stop()
})

describe('filterTools', () => {
  let proxy: TestProxy
  beforeAll(async () => {
    proxy = await startProxy({
      upstreams: [{ id: 'alpha', url: alpha.url }],
      plugins: [
        {
          name: 'rename-and-hide',
          filterTools: (tools) =>
            tools
              .filter((tool) => tool.name !== 'fail')
              .map((tool) =>
                tool.name === 'echo' ? { ...tool, name: 'say', description: 'Says it back' } : tool,
              ),
        },
      ],
    })
  })
  afterAll(() => proxy.stop())

  test.each(['legacy', 'modern'] as const)(
    'applies to the merged list and to calls (%s era)',
    async (era) => {
      const client = await connectClient(proxy.url, { era })
      const tools = (await client.listTools()).tools
      const names = tools.map((tool) => tool.name)
      expect(names).toContain('say')
      expect(names).not.toContain('echo')
      expect(names).not.toContain('fail')
      expect(tools.find((tool) => tool.name === 'say')?.description).toBe('Says it back')
      expect((await client.callTool({ name: 'say', arguments: { text: 'hi' } })).content).toEqual([
        { type: 'text', text: 'alpha:hi' },
      ])
      for (const hidden of ['echo', 'fail']) {
        const failure = await client
          .callTool({ name: hidden, arguments: { text: 'x' } })
          .catch((error) => error)
        expect(failure.message).toContain(`Unknown tool: ${hidden}`)
      }
      await client.close()
    },
  )
})

test('onClose runs when the proxy stops and when a reload drops the plugin', async () => {
  const closed: string[] = []
  const closing = (name: string): ProxMCPPlugin => ({ name, onClose: () => void closed.push(name) })
  const kept = closing('kept')
  const proxy = await startProxy({
    upstreams: [{ id: 'alpha', url: alpha.url }],
    plugins: [closing('dropped'), kept],
  })
  await proxy.proxy.reload({ upstreams: [{ id: 'alpha', url: alpha.url }], plugins: [kept] })
  expect(closed).toEqual(['dropped'])
  await proxy.stop()
  expect(closed).toEqual(['dropped', 'kept'])
})
