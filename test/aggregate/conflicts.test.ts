import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { type RunningFixture, serveV1Http } from '../fixtures/v1-server.ts'
import { connectClient } from '../helpers/clients.ts'
import { startProxy, type TestProxy } from '../helpers/start-proxy.ts'

let alpha: RunningFixture
let beta: RunningFixture

beforeAll(() => {
  alpha = serveV1Http({ name: 'alpha' })
  beta = serveV1Http({ name: 'beta' })
})
afterAll(async () => {
  await alpha.close()
  await beta.close()
})

describe('names offered by two upstreams', () => {
  let proxy: TestProxy
  beforeAll(async () => {
    proxy = await startProxy({
      upstreams: [
        { id: 'beta', url: beta.url },
        { id: 'alpha', url: alpha.url },
      ],
    })
  })
  afterAll(() => proxy.stop())

  test('are warned about once, naming both upstreams and the winner', () => {
    const warnings = proxy.logs.filter((line) => line.startsWith('warn:') && line.includes("'echo'"))
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toContain("'beta' and 'alpha'")
    expect(warnings[0]).toContain("'beta' wins")
  })

  test('go to the upstream listed first in the config', async () => {
    const client = await connectClient(proxy.url)
    const echoed = await client.callTool({ name: 'echo', arguments: { text: 'x' } })
    expect(echoed.content).toEqual([{ type: 'text', text: 'beta:x' }])
    expect(
      (await client.getPrompt({ name: 'greet', arguments: { who: 'Bo' } })).messages[0]?.content,
    ).toEqual({
      type: 'text',
      text: 'beta greets Bo',
    })
    await client.close()
  })
})

describe('namespaced mode', () => {
  let proxy: TestProxy
  beforeAll(async () => {
    proxy = await startProxy({
      upstreams: [
        { id: 'alpha', url: alpha.url },
        { id: 'beta', url: beta.url },
      ],
      namespace: true,
    })
  })
  afterAll(() => proxy.stop())

  test('exposes every tool and prompt as <upstreamId>__<name> and routes each to its upstream', async () => {
    const client = await connectClient(proxy.url)
    const tools = (await client.listTools()).tools.map((tool) => tool.name)
    expect(tools).toEqual(expect.arrayContaining(['alpha__echo', 'beta__echo', 'alpha__alpha_only']))
    expect(tools).not.toContain('echo')
    expect((await client.callTool({ name: 'beta__echo', arguments: { text: 'y' } })).content).toEqual([
      { type: 'text', text: 'beta:y' },
    ])
    const prompt = await client.getPrompt({ name: 'alpha__greet', arguments: { who: 'Cy' } })
    expect(prompt.messages[0]?.content).toEqual({ type: 'text', text: 'alpha greets Cy' })
    expect(proxy.logs.some((line) => line.startsWith('warn:'))).toBe(false)
    await client.close()
  })
})
