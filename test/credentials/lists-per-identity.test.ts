import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import type { Client } from '@modelcontextprotocol/client'
import { Server } from '@modelcontextprotocol/sdk/server/index.js'
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js'
import { CallToolRequestSchema, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js'
import { createMcpHandler, McpServer } from '@modelcontextprotocol/server'
import { authPlugin } from '../../src/index.ts'
import { type ClientEra, connectClient } from '../helpers/clients.ts'
import {
  API_KEYS,
  apiKeyClients,
  type PersonalTokens,
  startPersonalTokens,
  type Who,
} from '../helpers/personal-tokens.ts'
import { startProxy, type TestProxy } from '../helpers/start-proxy.ts'
import { waitFor } from '../helpers/wait.ts'

let world: PersonalTokens
let proxy: TestProxy
const clients = apiKeyClients()

beforeAll(async () => {
  world = await startPersonalTokens(['alice-pat', 'bob-pat', 'bot'], {
    toolsFor: { 'alice-pat': ['merge_pull_request'], bot: ['rotate_bot_keys'] },
  })
  const { bearer, echo } = world
  proxy = await startProxy({
    upstreams: [
      {
        id: 'github',
        url: echo.url,
        headers: bearer('bot'),
        credentials: { alice: { headers: bearer('alice-pat') }, bob: { headers: bearer('bob-pat') } },
        listsPerIdentity: true,
      },
    ],
    plugins: [authPlugin({ mode: 'apikey', keys: API_KEYS })],
  })
})
afterAll(async () => {
  await clients.closeAll()
  await proxy.stop()
  await world.close()
})

const clientOf = (who: Who, era: ClientEra) => clients.connect(proxy.url, who, era)

const namesOf = async (client: Client) => (await client.listTools()).tools.map((tool) => tool.name).sort()

describe.each(['legacy', 'modern'] as const)('%s-era clients', (era) => {
  test("each identity lists the tools the upstream lists to it, never the service account's", async () => {
    const [alice, bob] = await Promise.all([clientOf('alice', era), clientOf('bob', era)])
    expect(await namesOf(alice)).toEqual(['merge_pull_request', 'slow_whoami', 'whoami'])
    expect(await namesOf(bob)).toEqual(['slow_whoami', 'whoami'])
  })

  test('a tool only one identity is listed has its arguments mirrored into headers as its schema says', async () => {
    const alice = await clientOf('alice', era)
    await alice.callTool({ name: 'merge_pull_request', arguments: { repo: 'acme/app' } })
    const sent = world.echo.seen
      .filter((seen) => seen.method === 'tools/call' && seen.sub === 'alice-pat')
      .at(-1)
    // Mcp-Param-* headers are a 2026-07-28 matter: a 2025-era session sends none.
    expect(sent?.repoHeader).toBe(era === 'modern' ? 'acme/app' : undefined)
  })

  test('a tool only one identity is listed is routed for it, and unknown to the others', async () => {
    const [alice, bob] = await Promise.all([clientOf('alice', era), clientOf('bob', era)])
    const merged = await alice.callTool({ name: 'merge_pull_request', arguments: {} })
    expect((merged as { structuredContent: { sub: string } }).structuredContent.sub).toBe('alice-pat')
    const refused = await bob.callTool({ name: 'merge_pull_request', arguments: {} }).then(
      () => undefined,
      (error: Error) => error.message,
    )
    expect(refused).toContain('Unknown tool: merge_pull_request')
  })
})

/**
 * A 2025-era server (v1 SDK, low-level) that lists what each user may use, as servers that list by
 * permission do: `unlock` grants the caller the admin tools and says the tools changed.
 */
function serveUnlockingServer(): { url: string; users: string[]; stop: () => Promise<void> } {
  const users: string[] = []
  const unlocked = new Set<string>()
  const transports = new Map<string, WebStandardStreamableHTTPServerTransport>()
  const http = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    idleTimeout: 0,
    async fetch(request) {
      const user = request.headers.get('x-user') ?? '(none)'
      users.push(user)
      const sessionId = request.headers.get('mcp-session-id')
      const existing = sessionId ? transports.get(sessionId) : undefined
      if (existing) return existing.handleRequest(request)
      if (sessionId) return new Response('unknown session', { status: 404 })
      const transport = new WebStandardStreamableHTTPServerTransport({
        sessionIdGenerator: () => crypto.randomUUID(),
        onsessioninitialized: (id) => void transports.set(id, transport),
      })
      const server = new Server(
        { name: 'unlocking', version: '0.1.0' },
        { capabilities: { tools: { listChanged: true } } },
      )
      const tool = (name: string) => ({ name, inputSchema: { type: 'object' as const } })
      server.setRequestHandler(ListToolsRequestSchema, async () => ({
        tools: [tool('unlock'), ...(unlocked.has(user) ? [tool('admin_panel')] : [])],
      }))
      server.setRequestHandler(CallToolRequestSchema, async (call) => {
        if (call.params.name === 'unlock') {
          unlocked.add(user)
          await server.sendToolListChanged()
        }
        return { content: [{ type: 'text', text: `${call.params.name} for ${user}` }] }
      })
      await server.connect(transport)
      return transport.handleRequest(request)
    },
  })
  return { url: `http://127.0.0.1:${http.port}/mcp`, users, stop: () => http.stop(true) }
}

/**
 * The same server on the 2026-07-28 side (v2 SDK, `createMcpHandler`): each request is answered by
 * a server built for its user, and `unlock` tells every `subscriptions/listen` stream the tools changed.
 */
function serveModernUnlockingServer(): { url: string; users: string[]; stop: () => Promise<void> } {
  const users: string[] = []
  const unlocked = new Set<string>()
  const handler = createMcpHandler(
    ({ requestInfo }) => {
      const user = requestInfo?.headers.get('x-user') ?? '(none)'
      const server = new McpServer({ name: 'unlocking', version: '0.2.0' })
      server.registerTool('unlock', { description: 'Grants the caller the admin tools' }, async () => {
        unlocked.add(user)
        handler.notify.toolsChanged()
        return { content: [{ type: 'text', text: `unlock for ${user}` }] }
      })
      if (unlocked.has(user))
        server.registerTool('admin_panel', { description: 'Admin only' }, async () => ({
          content: [{ type: 'text', text: `admin_panel for ${user}` }],
        }))
      return server
    },
    { legacy: 'reject' },
  )
  const http = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    idleTimeout: 0,
    fetch(request) {
      users.push(request.headers.get('x-user') ?? '(none)')
      return handler.fetch(request)
    },
  })
  return { url: `http://127.0.0.1:${http.port}/mcp`, users, stop: () => http.stop(true) }
}

test.each([
  ['legacy', 'legacy'],
  ['modern', 'legacy'],
  ['legacy', 'modern'],
  ['modern', 'modern'],
] as const)(
  "an identity's own list changing upstream is listed again at once, for that identity only (%s-era clients, %s upstream)",
  async (era, upstreamEra) => {
    const upstream = upstreamEra === 'legacy' ? serveUnlockingServer() : serveModernUnlockingServer()
    const unlocking = await startProxy({
      upstreams: [
        {
          id: 'admin',
          url: upstream.url,
          era: upstreamEra,
          credentials: { alice: { headers: { 'x-user': 'alice' } }, bob: { headers: { 'x-user': 'bob' } } },
          listsPerIdentity: true,
        },
      ],
      servers: { dev: { upstreams: ['admin'] } },
      plugins: [authPlugin({ mode: 'apikey', keys: API_KEYS })],
    })
    const connect = (who: Who, path = '') =>
      connectClient(unlocking.url + path, { era, headers: { 'x-api-key': API_KEYS[who] } })
    const [alice, bob, aliceOnDev] = await Promise.all([
      connect('alice'),
      connect('bob'),
      connect('alice', '/dev'),
    ])
    try {
      expect(await namesOf(alice)).toEqual(['unlock'])
      expect(await namesOf(aliceOnDev)).toEqual(['unlock'])
      await alice.callTool({ name: 'unlock', arguments: {} })
      await waitFor(
        async () => (await namesOf(alice)).includes('admin_panel'),
        'alice to list admin_panel',
        5_000,
      )
      // Every server over the upstream shows her new list, not only the one that read it.
      expect(await namesOf(aliceOnDev)).toEqual(['admin_panel', 'unlock'])
      expect(await namesOf(bob)).toEqual(['unlock'])
      expect(new Set(upstream.users)).toEqual(new Set(['(none)', 'alice', 'bob']))
    } finally {
      await Promise.all([alice.close(), bob.close(), aliceOnDev.close()])
      await unlocking.stop()
      await upstream.stop()
    }
  },
)
