import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { authPlugin, memoryStore, type RateLimitOptions, rateLimitPlugin } from '../../src/index.ts'
import { addressNetwork, clientAddress } from '../../src/plugins/rate-limit/client-address.ts'
import { type RunningFixture, serveV1Http } from '../fixtures/v1-server.ts'
import { connectClient } from '../helpers/clients.ts'
import { postRpc } from '../helpers/mcp-http.ts'
import { describeSlidingWindow } from '../helpers/sliding-window-cases.ts'
import { startProxy, type TestProxy } from '../helpers/start-proxy.ts'

describeSlidingWindow('memory store', () => memoryStore())

test('the memory store forgets the least recently used key beyond maxKeys', async () => {
  const store = memoryStore({ maxKeys: 2 })
  const rule = { limit: 1, windowMs: 60_000, now: 0 }
  for (const key of ['a', 'b']) await store.hit(key, rule)
  await store.hit('a', rule)
  await store.hit('c', rule)
  expect((await store.hit('a', rule)).allowed).toBe(false)
  expect((await store.hit('b', rule)).allowed).toBe(true)
})

let alpha: RunningFixture
beforeAll(() => {
  alpha = serveV1Http({ name: 'alpha' })
})
afterAll(() => alpha.close())

/** A proxy with one rate limit on a clock the test moves. */
async function limitedProxy(
  options: Partial<RateLimitOptions>,
  before = [] as ReturnType<typeof authPlugin>[],
) {
  const clock = { now: 1_000_000 }
  const proxy = await startProxy({
    upstreams: [{ id: 'alpha', url: alpha.url }],
    plugins: [...before, rateLimitPlugin({ limit: 2, windowMs: 60_000, now: () => clock.now, ...options })],
  })
  return { proxy, clock }
}

describe('over HTTP', () => {
  let proxy: TestProxy
  let clock: { now: number }
  beforeAll(async () => {
    ;({ proxy, clock } = await limitedProxy({ keyBy: 'ip' }))
  })
  afterAll(() => proxy.stop())

  test('the request over the limit gets 429 with Retry-After, RateLimit-* and a JSON body', async () => {
    expect((await postRpc(proxy.url)).status).not.toBe(429)
    clock.now += 15_000
    expect((await postRpc(proxy.url)).status).not.toBe(429)
    clock.now += 15_000
    const refused = await postRpc(proxy.url)
    expect(refused.status).toBe(429)
    expect(Object.fromEntries([...refused.headers].filter(([name]) => /retry|ratelimit/.test(name)))).toEqual(
      {
        'retry-after': '30',
        'ratelimit-limit': '2',
        'ratelimit-remaining': '0',
        'ratelimit-reset': '30',
        'ratelimit-policy': '2;w=60',
      },
    )
    expect(await refused.json()).toEqual({
      error: 'rate_limited',
      message: expect.stringContaining('retry in 30 s'),
    })
    clock.now += 30_000
    expect((await postRpc(proxy.url)).status).not.toBe(429)
  })

  test('X-Forwarded-For is ignored without trustProxy: a client cannot pick its own address', async () => {
    clock.now += 120_000
    for (const address of ['203.0.113.1', '203.0.113.2']) {
      expect((await postRpc(proxy.url, { 'x-forwarded-for': address })).status).not.toBe(429)
    }
    expect((await postRpc(proxy.url, { 'x-forwarded-for': '203.0.113.3' })).status).toBe(429)
  })
})

test.each(['legacy', 'modern'] as const)(
  'an SDK client (%s era) over the limit is refused with 429',
  async (era) => {
    const { proxy } = await limitedProxy({ limit: 4 })
    const client = await connectClient(proxy.url, { era })
    let failure: unknown
    for (let call = 0; call < 6 && !failure; call++) {
      failure = await client.callTool({ name: 'echo', arguments: { text: 'x' } }).then(
        () => undefined,
        (error) => error,
      )
    }
    expect(String(failure)).toMatch(/429|Too many requests/)
    await client.close().catch(() => undefined)
    await proxy.stop()
  },
)

test('behind a trusted proxy, each forwarded client address has its own limit', async () => {
  const { proxy } = await limitedProxy({ trustProxy: true })
  const from = (address: string) => postRpc(proxy.url, { 'x-forwarded-for': `198.51.100.9, ${address}` })
  for (let request = 0; request < 2; request++) expect((await from('203.0.113.1')).status).not.toBe(429)
  expect((await from('203.0.113.1')).status).toBe(429)
  expect((await from('203.0.113.2')).status).not.toBe(429)
  await proxy.stop()
})

test("keyBy 'global' shares one limit between every client", async () => {
  const { proxy } = await limitedProxy({ keyBy: 'global', trustProxy: true })
  for (const address of ['203.0.113.1', '203.0.113.2']) {
    expect((await postRpc(proxy.url, { 'x-forwarded-for': address })).status).not.toBe(429)
  }
  expect((await postRpc(proxy.url, { 'x-forwarded-for': '203.0.113.3' })).status).toBe(429)
  await proxy.stop()
})

test("keyBy 'key' limits each identity the auth plugin established separately", async () => {
  const auth = authPlugin({ mode: 'apikey', keys: { alice: 'sk-alice', bob: 'sk-bob' } })
  const { proxy } = await limitedProxy({ keyBy: 'key' }, [auth])
  const as = (key: string) => postRpc(proxy.url, { 'x-api-key': key })
  for (let request = 0; request < 2; request++) expect((await as('sk-alice')).status).not.toBe(429)
  expect((await as('sk-alice')).status).toBe(429)
  expect((await as('sk-bob')).status).not.toBe(429)
  await proxy.stop()
})

test.each([
  ['no header', null, 1, '10.0.0.1'],
  ['one trusted hop', 'spoofed, 203.0.113.7', 1, '203.0.113.7'],
  ['two trusted hops', 'client, 203.0.113.7, 10.1.1.1', 2, '203.0.113.7'],
  ['more hops than entries', '203.0.113.7', 3, '203.0.113.7'],
  ['an IPv4 address with a port', '203.0.113.7:5555', 1, '203.0.113.7'],
  ['a bracketed IPv6 address with a port', '[2001:db8::1]:443', 1, '2001:db8::1'],
  ['trust off', '203.0.113.7', 0, '10.0.0.1'],
])('client address with %s', (_what, forwarded, hops, expected) => {
  const headers: Record<string, string> = forwarded === null ? {} : { 'x-forwarded-for': forwarded }
  expect(clientAddress(new Request('http://localhost/mcp', { headers }), '10.0.0.1', hops)).toBe(expected)
})

test.each([
  ['IPv4 as it is', '203.0.113.7', 64, '203.0.113.7'],
  ['IPv4-mapped IPv6 as IPv4', '::ffff:203.0.113.7', 64, '203.0.113.7'],
  ['IPv6 by its /64', '2001:db8:1:2:3:4:5:6', 64, '2001:db8:1:2:0:0:0:0/64'],
  ['IPv6 shorthand by its /64', '2001:db8:1:2::9', 64, '2001:db8:1:2:0:0:0:0/64'],
  ['IPv6 by a /56', '2001:db8:1:2ff::9', 56, '2001:db8:1:200:0:0:0:0/56'],
  ['IPv6 per address with /128', '2001:DB8::9', 128, '2001:db8::9'],
  ['loopback IPv6', '::1', 64, '0:0:0:0:0:0:0:0/64'],
  ['something unreadable as it is', 'not:an:address::x::', 64, 'not:an:address::x::'],
])('limited network: %s', (_what, address, subnet, expected) => {
  expect(addressNetwork(address, subnet)).toBe(expected)
})

test.each([
  ['a limit of 0', { limit: 0, windowMs: 1_000 }, 'limit'],
  ['a fractional limit', { limit: 1.5, windowMs: 1_000 }, 'limit'],
  ['an empty window', { limit: 1, windowMs: 0 }, 'windowMs'],
  ['a negative hop count', { limit: 1, windowMs: 1_000, trustProxy: -1 }, 'trustProxy'],
])('%s is a configuration error', (_what, options, message) => {
  expect(() => rateLimitPlugin(options)).toThrow(message)
})

test('with servers, only requests to those virtual servers are limited, each server counted apart', async () => {
  const clock = { now: 1_000_000 }
  const proxy = await startProxy({
    upstreams: [{ id: 'alpha', url: alpha.url }],
    servers: {
      ci: { upstreams: ['alpha'] },
      bots: { upstreams: ['alpha'] },
      coding: { upstreams: ['alpha'] },
    },
    plugins: [rateLimitPlugin({ limit: 2, windowMs: 60_000, now: () => clock.now, servers: ['ci', 'bots'] })],
  })
  try {
    const statuses = async (path: string, times: number) => {
      const seen: number[] = []
      for (let i = 0; i < times; i++) seen.push((await postRpc(proxy.url + path)).status)
      return seen.map((status) => (status === 429 ? 429 : 'ok'))
    }
    expect(await statuses('/ci', 3)).toEqual(['ok', 'ok', 429])
    expect(await statuses('/bots', 3)).toEqual(['ok', 'ok', 429])
    expect(await statuses('/coding', 4)).toEqual(['ok', 'ok', 'ok', 'ok'])
    expect(await statuses('', 4)).toEqual(['ok', 'ok', 'ok', 'ok'])
  } finally {
    await proxy.stop()
  }
})

test('servers must name at least one virtual server', () => {
  expect(() => rateLimitPlugin({ limit: 1, windowMs: 1_000, servers: [] })).toThrow(
    'rateLimitPlugin: servers must name at least one virtual server',
  )
})
