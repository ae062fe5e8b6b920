import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { resolve } from 'node:path'
import { authPlugin } from '../../src/index.ts'
import type { ClientEra } from '../helpers/clients.ts'
import {
  API_KEYS,
  apiKeyClients,
  type PersonalTokens,
  startPersonalTokens,
  type Who,
} from '../helpers/personal-tokens.ts'
import { startProxy, type TestProxy } from '../helpers/start-proxy.ts'
import { isAlive } from '../helpers/wait.ts'

const ACCOUNT_SERVER = [process.execPath, resolve(import.meta.dir, '../fixtures/env-account-stdio.ts')]

let world: PersonalTokens
let proxy: TestProxy
const clients = apiKeyClients()

beforeAll(async () => {
  world = await startPersonalTokens(['alice-pat', 'bob-pat', 'bot'])
  const { bearer, echo, auth } = world
  proxy = await startProxy({
    namespace: true,
    upstreams: [
      {
        id: 'github',
        url: echo.url,
        // The service credential reads the catalog; each identity calls with its own.
        headers: bearer('bot'),
        credentials: { alice: { headers: bearer('alice-pat') }, bob: { headers: bearer('bob-pat') } },
      },
      {
        id: 'jira',
        url: echo.url,
        headers: bearer('bot'),
        credentials: { alice: { headers: bearer('alice-pat') } },
        withoutCredential: 'deny',
      },
      {
        id: 'wiki',
        url: echo.url,
        oauth: { clientId: 'bot', clientSecret: 's', tokenEndpoint: auth.tokenEndpoint },
        headers: (ctx) => (ctx.identity === 'alice' ? bearer('alice-pat') : undefined),
      },
      {
        id: 'accounts',
        command: ACCOUNT_SERVER,
        env: { ACCOUNT: 'service', SERVICE_KEY: 'service-only-secret' },
        credentials: { alice: { env: { ACCOUNT: 'alice@corp' } }, bob: { env: { ACCOUNT: 'bob@corp' } } },
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

const structured = (result: unknown) =>
  (result as { structuredContent: Record<string, unknown> }).structuredContent
const failureOf = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: { code?: number; message: string }) => error,
  )

describe.each(['legacy', 'modern'] as const)('%s-era clients', (era) => {
  test('each identity reaches an HTTP upstream with its own headers', async () => {
    const [alice, bob] = await Promise.all([clientOf('alice', era), clientOf('bob', era)])
    const [asAlice, asBob] = await Promise.all([
      alice.callTool({ name: 'github__slow_whoami', arguments: { ms: 50 } }),
      bob.callTool({ name: 'github__slow_whoami', arguments: { ms: 50 } }),
    ])
    expect(structured(asAlice).sub).toBe('alice-pat')
    expect(structured(asBob).sub).toBe('bob-pat')
  })

  test('an identity without a credential does not see the tools, and calling one is an unknown tool', async () => {
    const carol = await clientOf('carol', era)
    const names = (await carol.listTools()).tools.map((tool) => tool.name)
    expect(names.filter((name) => name.startsWith('github__'))).toEqual([])
    expect(names.filter((name) => name.startsWith('accounts__'))).toEqual([])
    const failure = await failureOf(carol.callTool({ name: 'github__whoami', arguments: {} }))
    expect(failure?.message).toContain('Unknown tool: github__whoami')
  })

  test("with withoutCredential: 'deny', the tools are listed and a call is refused with 403", async () => {
    const carol = await clientOf('carol', era)
    expect((await carol.listTools()).tools.map((tool) => tool.name)).toContain('jira__whoami')
    const failure = await failureOf(carol.callTool({ name: 'jira__whoami', arguments: {} }))
    expect(failure?.code).toBe(-32013)
    expect(failure?.message).toContain("Forbidden: identity 'carol' has no credential for upstream 'jira'")
    const alice = await clientOf('alice', era)
    expect(structured(await alice.callTool({ name: 'jira__whoami', arguments: {} })).sub).toBe('alice-pat')
  })

  test('a headers function gives each identity its headers; where it gives none, the call is refused', async () => {
    const [alice, bob] = await Promise.all([clientOf('alice', era), clientOf('bob', era)])
    expect(structured(await alice.callTool({ name: 'wiki__whoami', arguments: {} })).sub).toBe('alice-pat')
    const failure = await failureOf(bob.callTool({ name: 'wiki__whoami', arguments: {} }))
    expect(failure?.message).toContain("Forbidden: identity 'bob' has no credential for upstream 'wiki'")
  })

  test("each identity's environment reaches a stdio upstream with a process per session", async () => {
    const [alice, bob] = await Promise.all([clientOf('alice', era), clientOf('bob', era)])
    const [asAlice, asBob] = await Promise.all([
      alice.callTool({ name: 'accounts__account', arguments: {} }),
      bob.callTool({ name: 'accounts__account', arguments: {} }),
    ])
    expect(structured(asAlice).account).toBe('alice@corp')
    expect(structured(asBob).account).toBe('bob@corp')
    // The upstream's own environment (its service key) is its process's alone.
    expect([structured(asAlice).serviceKey, structured(asBob).serviceKey]).toEqual([null, null])
    expect(structured(asAlice).pid).not.toBe(structured(asBob).pid)
  })
})

test('the catalog was read with the service credential only', () => {
  const listedBy = new Set(
    world.echo.seen.filter((seen) => seen.method === 'tools/list').map((seen) => seen.sub),
  )
  expect([...listedBy]).toEqual(['bot'])
  expect(world.echo.seen.filter((seen) => seen.verdict !== 'ok')).toEqual([])
})

test('the processes started for identities end with the proxy, and no credential is logged', async () => {
  const pids = new Set<number>()
  for (const who of ['alice', 'bob'] as const) {
    for (const era of ['legacy', 'modern'] as const) {
      const client = await clientOf(who, era)
      pids.add(structured(await client.callTool({ name: 'accounts__account', arguments: {} })).pid as number)
    }
  }
  await clients.closeAll()
  await proxy.stop()
  await Bun.sleep(200)
  expect([...pids].filter(isAlive)).toEqual([])
  const log = proxy.logs.join('\n')
  for (const token of world.tokens()) expect(log).not.toContain(token)
  expect(log).not.toContain('alice@corp')
})
