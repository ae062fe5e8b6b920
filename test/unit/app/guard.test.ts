import { describe, expect, test } from 'bun:test'
import { type GuardPolicy, guardPolicy, rejectForeign } from '../../../src/app/guard.ts'

function request(headers: Record<string, string>): Request {
  return new Request('http://localhost/mcp', { method: 'POST', headers })
}

async function verdict(policy: GuardPolicy, headers: Record<string, string>): Promise<string> {
  const refusal = rejectForeign(request(headers), policy)
  if (!refusal) return 'pass'
  const body = (await refusal.json()) as { error: { code: number; message: string } }
  return `${refusal.status} ${body.error.code} ${body.error.message}`
}

describe('bound to loopback without lists', () => {
  const policy = guardPolicy({ host: '127.0.0.1' })

  test.each([['localhost:3000'], ['127.0.0.1:3000'], ['[::1]:3000'], ['localhost']])(
    'Host %s is served',
    async (host) => {
      expect(await verdict(policy, { host })).toBe('pass')
    },
  )

  test.each([
    ['evil.example:3000', '403 -32000 Invalid Host: evil.example'],
    ['127.0.0.1.nip.io', '403 -32000 Invalid Host: 127.0.0.1.nip.io'],
    ['0.0.0.0:3000', '403 -32000 Invalid Host: 0.0.0.0'],
  ])('a rebinding Host %s is refused', async (host, expected) => {
    expect(await verdict(policy, { host })).toBe(expected)
  })

  test('a request without a Host header is refused', async () => {
    expect(await verdict(policy, {})).toBe('403 -32000 Missing Host header')
  })

  test.each([
    ['http://localhost:5173', 'pass'],
    ['http://127.0.0.1', 'pass'],
    ['https://evil.example', '403 -32000 Invalid Origin: evil.example'],
    ['null', '403 -32000 Invalid Origin header: null'],
  ])('Origin %s gets %s', async (origin, expected) => {
    expect(await verdict(policy, { host: 'localhost:3000', origin })).toBe(expected)
  })

  test('a request without an Origin (not from a browser) passes', async () => {
    expect(await verdict(policy, { host: 'localhost:3000' })).toBe('pass')
  })
})

test.each(['localhost', '::1', '[::1]'])('binding to loopback name %s also limits Host names', (host) => {
  expect(guardPolicy({ host }).allowedHosts).toEqual(['localhost', '127.0.0.1', '[::1]'])
})

describe('bound to a public interface without lists', () => {
  const policy = guardPolicy({ host: '0.0.0.0' })

  test('any Host name is served', async () => {
    expect(policy.allowedHosts).toBeUndefined()
    expect(await verdict(policy, { host: 'proxy.example.com' })).toBe('pass')
  })

  test('a browser Origin must still be loopback', async () => {
    expect(await verdict(policy, { host: 'proxy.example.com', origin: 'https://proxy.example.com' })).toBe(
      '403 -32000 Invalid Origin: proxy.example.com',
    )
  })
})

describe('with allowedHosts only', () => {
  const policy = guardPolicy({ host: '0.0.0.0', allowedHosts: ['proxy.example.com'] })

  test('only the listed Host names are served, loopback included only if listed', async () => {
    expect(await verdict(policy, { host: 'proxy.example.com:8443' })).toBe('pass')
    expect(await verdict(policy, { host: 'localhost' })).toBe('403 -32000 Invalid Host: localhost')
  })

  test('the listed hosts are also accepted as browser Origins', async () => {
    const headers = { host: 'proxy.example.com', origin: 'https://proxy.example.com' }
    expect(await verdict(policy, headers)).toBe('pass')
  })
})

test('allowedOrigins replaces allowedHosts as the Origin list, loopback origins kept', async () => {
  const policy = guardPolicy({
    host: '0.0.0.0',
    allowedHosts: ['proxy.example.com'],
    allowedOrigins: ['app.example.com'],
  })
  const host = 'proxy.example.com'
  expect(await verdict(policy, { host, origin: 'https://app.example.com' })).toBe('pass')
  expect(await verdict(policy, { host, origin: 'http://localhost:5173' })).toBe('pass')
  expect(await verdict(policy, { host, origin: 'https://proxy.example.com' })).toBe(
    '403 -32000 Invalid Origin: proxy.example.com',
  )
})

test('an empty allowedHosts list on loopback refuses every Host', async () => {
  const policy = guardPolicy({ host: '127.0.0.1', allowedHosts: [] })
  expect(await verdict(policy, { host: 'localhost' })).toBe('403 -32000 Invalid Host: localhost')
})
