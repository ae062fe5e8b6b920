import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import {
  Client,
  SSEClientTransport,
  StreamableHTTPClientTransport,
  type Transport,
} from '@modelcontextprotocol/client'
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio'
import { type RunningFixture, serveV1Http } from '../fixtures/v1-server.ts'
import { type ClientEra, connectClient, withoutServerInfo } from '../helpers/clients.ts'
import { startEverything } from '../helpers/everything.ts'
import { startProxy, type TestProxy } from '../helpers/start-proxy.ts'

const BETA_COMMAND = [process.execPath, 'test/fixtures/v1-server.ts', '--name', 'beta']

let alpha: RunningFixture
let gamma: { url: string; stop(): void }
let proxy: TestProxy

beforeAll(async () => {
  alpha = serveV1Http({ name: 'alpha' })
  gamma = await startEverything('sse')
  proxy = await startProxy({
    upstreams: [
      { id: 'alpha', url: alpha.url },
      { id: 'beta', command: BETA_COMMAND },
      { id: 'gamma', url: gamma.url },
    ],
  })
})

afterAll(async () => {
  await proxy.stop()
  await alpha.close()
  gamma.stop()
})

async function direct(transport: Transport): Promise<Client> {
  const client = new Client({ name: 'direct', version: '1.0.0' })
  await client.connect(transport)
  return client
}

describe.each(['legacy', 'modern'] as ClientEra[])('a %s-era client', (era) => {
  test('sees the tools, resources, templates and prompts of all three upstreams in one list', async () => {
    const client = await connectClient(proxy.url, { era })
    const tools = (await client.listTools()).tools.map((tool) => tool.name)
    expect(tools).toContain('alpha_only')
    expect(tools).toContain('beta_only')
    expect(tools).toContain('get-sum')
    expect(tools.filter((name) => name === 'echo')).toHaveLength(1)
    const resources = (await client.listResources()).resources.map((resource) => resource.uri)
    expect(resources).toEqual(expect.arrayContaining(['fixture://alpha/info', 'fixture://beta/info']))
    const templates = (await client.listResourceTemplates()).resourceTemplates.map(
      (template) => template.uriTemplate,
    )
    expect(templates).toEqual(
      expect.arrayContaining(['fixture://alpha/items/{id}', 'fixture://beta/items/{id}']),
    )
    expect((await client.listPrompts()).prompts.map((prompt) => prompt.name)).toContain('greet')
    await client.close()
  })

  test('reaches each upstream through its own tools, resources and templates', async () => {
    const client = await connectClient(proxy.url, { era })
    expect((await client.callTool({ name: 'alpha_only', arguments: {} })).content).toEqual([
      { type: 'text', text: 'alpha' },
    ])
    expect((await client.callTool({ name: 'beta_only', arguments: {} })).content).toEqual([
      { type: 'text', text: 'beta' },
    ])
    const sum = await client.callTool({ name: 'get-sum', arguments: { a: 2, b: 3 } })
    expect(JSON.stringify(sum.content)).toContain('5')
    const info = await client.readResource({ uri: 'fixture://beta/info' })
    expect(info.contents).toEqual([{ uri: 'fixture://beta/info', text: 'info of beta' }])
    const item = await client.readResource({ uri: 'fixture://beta/items/7' })
    expect(item.contents).toEqual([{ uri: 'fixture://beta/items/7', text: 'item 7 of beta' }])
    const prompt = await client.getPrompt({ name: 'greet', arguments: { who: 'Ada' } })
    expect(prompt.messages).toEqual([{ role: 'user', content: { type: 'text', text: 'alpha greets Ada' } }])
    await client.close()
  })
})

test('results through the proxy equal direct results, structuredContent, _meta and isError included', async () => {
  const viaProxy = await connectClient(proxy.url)
  const toAlpha = await direct(new StreamableHTTPClientTransport(new URL(alpha.url)))
  const toBeta = await direct(
    new StdioClientTransport({ command: BETA_COMMAND[0] as string, args: BETA_COMMAND.slice(1) }),
  )
  const toGamma = await direct(new SSEClientTransport(new URL(gamma.url)))
  const cases: [Client, string, Record<string, unknown>][] = [
    [toAlpha, 'echo', { text: 'same' }],
    [toAlpha, 'fail', {}],
    [toBeta, 'beta_only', {}],
    [toGamma, 'get-structured-content', { location: 'New York' }],
  ]
  for (const [upstream, name, args] of cases) {
    const expected = await upstream.callTool({ name, arguments: args })
    const actual = await viaProxy.callTool({ name, arguments: args })
    if (name === 'get-structured-content') {
      // Its weather is random per call: compare the shape, not the values.
      expect(Object.keys(actual.structuredContent ?? {})).toEqual(
        Object.keys(expected.structuredContent ?? {}),
      )
    } else {
      expect(withoutServerInfo(actual)).toEqual(expected)
    }
  }
  const echoed = await viaProxy.callTool({ name: 'echo', arguments: { text: 'meta' } })
  expect(echoed._meta).toEqual({ 'fixture/server': 'alpha' })
  expect((await viaProxy.callTool({ name: 'fail', arguments: {} })).isError).toBe(true)
  await Promise.all([viaProxy, toAlpha, toBeta, toGamma].map((client) => client.close()))
})
