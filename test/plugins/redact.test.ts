import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { Client, SSEClientTransport } from '@modelcontextprotocol/client'
import { passesLuhn, redactPlugin } from '../../src/plugins/redact/index.ts'
import type { ProxMCPPlugin } from '../../src/plugins/types.ts'
import { type RunningFixture, serveV1Http } from '../fixtures/v1-server.ts'
import { connectMatrixClient, MATRIX_CLIENTS, type MatrixClient } from '../helpers/matrix-clients.ts'
import { startProxy, type TestProxy } from '../helpers/start-proxy.ts'

const SECRETS =
  'mail bob@example.com, card 4111 1111 1111 1111, key sk-proj-abcdefghijklmnopqrstuvwx, EMP-123456, order 4111111111111112'
const MASKED =
  'mail [redacted: email], card [redacted: card number], key [redacted: API key], [redacted: employee id], order 4111111111111112'

let upstream: RunningFixture
let proxy: TestProxy
const seen: string[] = []
/** Records what reached the plugins after redaction: hooks run in plugin order. */
const observer: ProxMCPPlugin = {
  name: 'observer',
  onResult: (ctx, result) => {
    seen.push(`${ctx.rpc?.method} ${ctx.upstream}`)
    return { ...result, _meta: { ...(result._meta as object), observed: true } }
  },
}

beforeAll(async () => {
  upstream = serveV1Http({ name: 'alpha' })
  proxy = await startProxy({
    upstreams: [{ id: 'alpha', url: upstream.url }],
    plugins: [
      redactPlugin({
        patterns: { 'employee id': /\bEMP-\d{6}\b/ },
        blockOn: { 'private key': /-----BEGIN [A-Z ]*PRIVATE KEY-----/ },
      }),
      observer,
    ],
  })
})
afterAll(async () => {
  await proxy.stop()
  await upstream.close()
})

/** The 2024-11-05 transport at /sse, answered on its event stream. */
async function sseClient(): Promise<MatrixClient> {
  const client = new Client({ name: 'sse', version: '1.0.0' }, { versionNegotiation: { mode: 'legacy' } })
  await client.connect(new SSEClientTransport(new URL(proxy.url.replace(/\/mcp$/, '/sse'))))
  return {
    listTools: async () => (await client.listTools()).tools,
    callTool: (name, args, onprogress) =>
      client.callTool({ name, arguments: args }, onprogress ? { onprogress } : undefined) as never,
    readResource: (uri) => client.readResource({ uri }) as never,
    getPrompt: (name, args) => client.getPrompt({ name, arguments: args }) as never,
    close: () => client.close(),
  }
}

describe.each([...MATRIX_CLIENTS, 'HTTP+SSE client (2024-11-05)'] as const)('a %s', (kind) => {
  const connect = () =>
    kind === 'HTTP+SSE client (2024-11-05)' ? sseClient() : connectMatrixClient(kind, proxy.url)

  test('gets tool results, resource contents and prompt messages masked, with progress streamed first', async () => {
    const client = await connect()
    try {
      const progress: unknown[] = []
      const called = await client.callTool('echo', { text: SECRETS }, (update) => progress.push(update))
      expect(called.content).toEqual([{ type: 'text', text: `alpha:${MASKED}` }])
      expect(called.structuredContent).toEqual({ text: MASKED, server: 'alpha' })
      expect((called._meta as Record<string, unknown>).observed).toBe(true)
      const streamed = await client.callTool('progress', { steps: 2 }, (update) => progress.push(update))
      expect(streamed.content).toEqual([{ type: 'text', text: 'done after 2 steps' }])
      expect(progress).toHaveLength(2)

      const read = await client.readResource('fixture://alpha/items/bob@example.com')
      expect((read.contents as { text: string; uri: string }[])[0]).toMatchObject({
        uri: 'fixture://alpha/items/bob@example.com',
        text: 'item [redacted: email] of alpha',
      })
      const prompt = await client.getPrompt('greet', { who: 'bob@example.com' })
      expect(prompt.messages).toEqual([
        { role: 'user', content: { type: 'text', text: 'alpha greets [redacted: email]' } },
      ])
    } finally {
      await client.close()
    }
  })

  test('gets a clear error instead of a result that matches a block rule, and the next call works', async () => {
    const client = await connect()
    try {
      const error = await client.callTool('echo', { text: '-----BEGIN RSA PRIVATE KEY-----\nMIIE...' }).then(
        () => undefined,
        (thrown: { code?: number; message: string }) => thrown,
      )
      expect(error?.code).toBe(-32030)
      expect(error?.message).toContain("the 'private key' rule of plugin 'redact'")
      const after = await client.callTool('echo', { text: 'fine' })
      expect(after.content).toEqual([{ type: 'text', text: 'alpha:fine' }])
    } finally {
      await client.close()
    }
  })
})

test('the plugins saw each result in order, named by method and upstream', () => {
  expect(seen).toContain('tools/call alpha')
  expect(seen).toContain('resources/read alpha')
  expect(seen).toContain('prompts/get alpha')
})

test('a hook that throws something else fails that call as the plugin failing, and nothing more', async () => {
  const broken: ProxMCPPlugin = {
    name: 'broken',
    onResult: () => {
      throw new Error('bug')
    },
  }
  const failing = await startProxy({ upstreams: [{ id: 'alpha', url: upstream.url }], plugins: [broken] })
  const client = await connectMatrixClient('v2 client (2025 era)', failing.url)
  try {
    const error = await client.callTool('echo', { text: 'x' }).then(
      () => undefined,
      (thrown: Error) => thrown,
    )
    expect(error?.message).toContain("Internal error in plugin 'broken'")
    expect((await client.listTools()).length).toBeGreaterThan(0)
    expect(failing.logs.some((line) => line.includes("plugin 'broken' failed in onResult: bug"))).toBe(true)
  } finally {
    await client.close()
    await failing.stop()
  }
})

test('the Luhn check tells card numbers from other long numbers', () => {
  expect(passesLuhn('4111 1111 1111 1111')).toBe(true)
  expect(passesLuhn('5500-0000-0000-0004')).toBe(true)
  expect(passesLuhn('4111111111111112')).toBe(false)
  expect(passesLuhn('1234')).toBe(false)
})
