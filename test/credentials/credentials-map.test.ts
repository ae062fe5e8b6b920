import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { resolve } from 'node:path'
import type { Client } from '@modelcontextprotocol/client'
import { authPlugin } from '../../src/index.ts'
import { type IdentityEchoServer, startIdentityEchoServer } from '../fixtures/identity-echo-server.ts'
import { type ClientEra, connectClient } from '../helpers/clients.ts'
import { type OAuthServer, startOAuthServer } from '../helpers/oauth-server.ts'
import { startProxy, type TestProxy } from '../helpers/start-proxy.ts'
import { isAlive } from '../helpers/wait.ts'

const KEYS = { alice: 'alice-key-0123456789', bob: 'bob-key-0123456789', carol: 'carol-key-0123456789' }
const ACCOUNT_SERVER = [process.execPath, resolve(import.meta.dir, '../fixtures/env-account-stdio.ts')]

let auth: OAuthServer
let echo: IdentityEchoServer
let proxy: TestProxy
const tokens: Record<string, string> = {}
const open: Client[] = []

/** A token the authorization server issues to one of its clients, as a user would paste a personal token. */
async function personalToken(clientId: string, audience: string): Promise<string> {
  const response = await fetch(auth.tokenEndpoint, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: clientId,
      client_secret: 's',
      resource: audience,
    }),
  })
  return ((await response.json()) as { access_token: string }).access_token
}

beforeAll(async () => {
  auth = await startOAuthServer({
    clients: { 'alice-pat': { secret: 's' }, 'bob-pat': { secret: 's' }, bot: { secret: 's' } },
  })
  echo = await startIdentityEchoServer({ jwksUrl: auth.jwksUrl, authorizationServer: auth.issuer })
  for (const who of ['alice-pat', 'bob-pat', 'bot']) tokens[who] = await personalToken(who, echo.audience)
  const bearer = (who: string) => ({ authorization: `Bearer ${tokens[who]}` })
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
        env: { ACCOUNT: 'service' },
        credentials: { alice: { env: { ACCOUNT: 'alice@corp' } }, bob: { env: { ACCOUNT: 'bob@corp' } } },
      },
    ],
    plugins: [authPlugin({ mode: 'apikey', keys: KEYS })],
  })
})
afterAll(async () => {
  await Promise.all(open.map((client) => client.close().catch(() => {})))
  await proxy.stop()
  await echo.close()
  await auth.close()
})

async function clientOf(who: keyof typeof KEYS, era: ClientEra): Promise<Client> {
  const client = await connectClient(proxy.url, { era, headers: { 'x-api-key': KEYS[who] } })
  open.push(client)
  return client
}

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
    expect(structured(asAlice).pid).not.toBe(structured(asBob).pid)
  })
})

test('the catalog was read with the service credential only', () => {
  const subjects = new Set(echo.seen.map((seen) => seen.sub))
  expect([...subjects].sort()).toEqual(['alice-pat', 'bob-pat', 'bot'])
  expect(echo.seen.filter((seen) => seen.verdict !== 'ok')).toEqual([])
})

test('the processes started for identities end with the proxy, and no credential is logged', async () => {
  const pids = new Set<number>()
  for (const who of ['alice', 'bob'] as const) {
    for (const era of ['legacy', 'modern'] as const) {
      const client = await clientOf(who, era)
      pids.add(structured(await client.callTool({ name: 'accounts__account', arguments: {} })).pid as number)
    }
  }
  await Promise.all(open.splice(0).map((client) => client.close().catch(() => {})))
  await proxy.stop()
  await Bun.sleep(200)
  expect([...pids].filter(isAlive)).toEqual([])
  const log = proxy.logs.join('\n')
  for (const token of Object.values(tokens)) expect(log).not.toContain(token)
  expect(log).not.toContain('alice@corp')
})
