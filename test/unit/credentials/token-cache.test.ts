import { expect, test } from 'bun:test'
import { TokenCache } from '../../../src/credentials/token-cache.ts'
import type { IssuedToken } from '../../../src/credentials/token-request.ts'

/** A token issuer that counts its tokens; each lives `lifetimeMs` and has `leftMs` of it left. */
function issuer(lifetimeMs: number, leftMs = lifetimeMs) {
  let issued = 0
  const issue = async (): Promise<IssuedToken> => {
    issued++
    return { accessToken: `token-${issued}`, lifetimeMs, expiresAt: Date.now() + leftMs }
  }
  return { issue, count: () => issued }
}

test('a token is reused while it has more than a fifth of its lifetime (at most a minute) left', async () => {
  const cache = new TokenCache()
  const fresh = issuer(600_000)
  expect(await cache.get('alice', fresh.issue)).toBe('token-1')
  expect(await cache.get('alice', fresh.issue)).toBe('token-1')
  expect(fresh.count()).toBe(1)
})

test('a token close to its expiry is renewed before it is used again', async () => {
  const cache = new TokenCache()
  const short = issuer(1_000, 150)
  expect(await cache.get('alice', short.issue)).toBe('token-1')
  expect(await cache.get('alice', short.issue)).toBe('token-2')
})

test('a long-lived token is renewed a minute before it expires, not at a fifth of its lifetime', async () => {
  const cache = new TokenCache()
  const hourLong = issuer(3_600_000, 90_000)
  expect(await cache.get('alice', hourLong.issue)).toBe('token-1')
  expect(await cache.get('alice', hourLong.issue)).toBe('token-1')
  const almostOver = issuer(3_600_000, 50_000)
  expect(await cache.get('bob', almostOver.issue)).toBe('token-1')
  expect(await cache.get('bob', almostOver.issue)).toBe('token-2')
})

test('concurrent requests for one key wait for a single token request', async () => {
  const cache = new TokenCache()
  const slow = issuer(600_000)
  const tokens = await Promise.all([1, 2, 3].map(() => cache.get('alice', slow.issue)))
  expect(tokens).toEqual(['token-1', 'token-1', 'token-1'])
  expect(slow.count()).toBe(1)
})

test('keys do not share tokens, and a dropped token is replaced', async () => {
  const cache = new TokenCache()
  const tokens = issuer(600_000)
  expect(await cache.get('alice', tokens.issue)).toBe('token-1')
  expect(await cache.get('bob', tokens.issue)).toBe('token-2')
  cache.drop('alice')
  expect(await cache.get('alice', tokens.issue)).toBe('token-3')
  expect(await cache.get('bob', tokens.issue)).toBe('token-2')
})

test('a failed token request is not remembered: the next request tries again', async () => {
  const cache = new TokenCache()
  let fail = true
  const flaky = async (): Promise<IssuedToken> => {
    if (fail) throw new Error('invalid_grant')
    return { accessToken: 'good', lifetimeMs: 60_000, expiresAt: Date.now() + 60_000 }
  }
  await expect(cache.get('alice', flaky)).rejects.toThrow('invalid_grant')
  fail = false
  expect(await cache.get('alice', flaky)).toBe('good')
})
