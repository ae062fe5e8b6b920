/**
 * ProxMCP in front of published MCP servers we did not write, pinned from npm: what they list
 * through the proxy equals what they list directly, in both client eras, and one harmless call
 * answers the same both ways. server-everything also runs over Streamable HTTP and SSE.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { ClientCapabilities } from '@modelcontextprotocol/client'
import { withoutServerInfo } from '../helpers/clients.ts'
import {
  directHttp,
  directStdio,
  errorOf,
  type JsonObject,
  listEverything,
  listedThroughProxy,
  type Peer,
  proxiedPeer,
} from '../helpers/compare-servers.ts'
import { startEverything } from '../helpers/everything.ts'
import { startProxy, type TestProxy } from '../helpers/start-proxy.ts'
import {
  commandOf,
  envOf,
  PUBLISHED_SERVERS,
  type PublishedServer,
  prepareWorkDir,
  versionOf,
} from './published-servers.ts'

/**
 * What a client declares it can answer, as ProxMCP declares it when it reads an upstream's lists:
 * for a stdio upstream a client that answers sampling and elicitation, for HTTP one that answers
 * nothing. Some servers list tools by what the client declared (server-everything does).
 */
const LISTED_AS: Record<'stdio' | 'http', ClientCapabilities> = {
  stdio: { sampling: {}, elicitation: { form: {}, url: {} } },
  http: {},
}

/** Compares a server reached directly with the same server through the proxy. */
async function expectSameThroughProxy(
  direct: Peer,
  proxy: TestProxy,
  call: PublishedServer['call'],
  capabilities: ClientCapabilities,
) {
  const expected = await listedThroughProxy(direct)
  const answer = await outcomeOf(direct, call)
  for (const era of ['legacy', 'modern'] as const) {
    const client = await proxiedPeer(proxy.url, 'mcp', era, capabilities)
    expect(await listEverything(client.send)).toEqual(era === 'modern' ? in2026Era(expected) : expected)
    const proxied = await outcomeOf(client, call)
    expect(era === 'modern' ? withoutCachingHints(proxied) : proxied).toEqual(answer)
    await client.close()
  }
  expect(proxy.logs.filter((line) => line.includes('unavailable') || line.includes('left out'))).toEqual([])
}

/** 2026-07-28 deleted a tool's `execution` (tasks): a client of that era gets its tools without it. */
function in2026Era(lists: Record<string, unknown>): Record<string, unknown> {
  const tools = (lists.tools as JsonObject[]).map(({ execution: _deleted, ...tool }) => tool)
  return { ...lists, tools }
}

/** A request's result, or its error as a client sees it (the SDKs word the message alike). */
function outcomeOf(peer: Peer, { method, params }: PublishedServer['call']): Promise<JsonObject> {
  return peer.send(method, params).then(withoutServerInfo, errorOf)
}

/** 2026-07-28 results carry caching hints, which the proxy's SDK server fills in where the upstream gave none. */
function withoutCachingHints({ ttlMs: _ttl, cacheScope: _scope, ...result }: JsonObject): JsonObject {
  return result
}

describe.each(PUBLISHED_SERVERS.map((server) => [`${server.package}@${versionOf(server)}`, server] as const))(
  '%s over stdio',
  (_name, server) => {
    let workDir: string
    let api: ReturnType<typeof Bun.serve> | undefined
    let proxy: TestProxy
    let direct: Peer
    beforeAll(async () => {
      workDir = await mkdtemp(join(tmpdir(), 'proxmcp-published-'))
      await prepareWorkDir(server, workDir)
      api = server.api && Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: server.api })
      const command = commandOf(server, workDir)
      const env = envOf(server, workDir, `http://127.0.0.1:${api?.port}`)
      proxy = await startProxy({ upstreams: [{ id: 'published', command, env, cwd: workDir }] })
      direct = await directStdio(command, { env, cwd: workDir, capabilities: LISTED_AS.stdio })
    })
    afterAll(async () => {
      await direct?.close()
      await proxy?.stop()
      await api?.stop(true)
      await rm(workDir, { recursive: true, force: true })
    })

    test('lists and answers through the proxy as it does directly, in both client eras', async () => {
      expect(proxy.proxy.status().upstreams[0]?.state).toBe('up')
      await expectSameThroughProxy(direct, proxy, server.call, LISTED_AS.stdio)
    })
  },
)

const everything = PUBLISHED_SERVERS[0] as PublishedServer

describe.each([['streamableHttp', 'streamable-http'] as const, ['sse', 'sse'] as const])(
  '@modelcontextprotocol/server-everything over %s',
  (mode, transport) => {
    let upstream: { url: string; stop(): void }
    let proxy: TestProxy
    let direct: Peer
    beforeAll(async () => {
      upstream = await startEverything(mode)
      proxy = await startProxy({ upstreams: [{ id: 'published', url: upstream.url, transport }] })
      direct = await directHttp(upstream.url, transport)
    })
    afterAll(async () => {
      await direct?.close()
      await proxy?.stop()
      upstream?.stop()
    })

    test('lists and answers through the proxy as it does directly, in both client eras', async () => {
      expect(proxy.proxy.status().upstreams[0]?.state).toBe('up')
      await expectSameThroughProxy(direct, proxy, everything.call, LISTED_AS.http)
    })
  },
)
