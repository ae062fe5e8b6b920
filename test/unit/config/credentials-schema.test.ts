import { expect, test } from 'bun:test'
import { ConfigError, resolveConfig } from '../../../src/config/resolve.ts'

function problemsOf(upstream: Record<string, unknown>): string[] {
  try {
    resolveConfig({ upstreams: [{ id: 'up', ...upstream }] })
    return []
  } catch (error) {
    if (error instanceof ConfigError) return error.issues
    throw error
  }
}

const HTTP = { url: 'https://mcp.example.com/mcp' }
const STDIO = { command: ['server'] }
const CLIENT = { clientId: 'proxmcp', clientSecret: 's', tokenEndpoint: 'https://sso.example.com/token' }

test('credentials that fit their transport are accepted, with hide as the default', () => {
  const [http] = resolveConfig({
    upstreams: [{ id: 'up', ...HTTP, credentials: { alice: { headers: { authorization: 'Bearer a' } } } }],
  }).upstreams
  expect(http?.withoutCredential).toBe('hide')
  expect(problemsOf({ ...STDIO, credentials: { alice: { env: { TOKEN: 'a' } } } })).toEqual([])
  expect(problemsOf({ ...HTTP, oauth: CLIENT, tokenExchange: CLIENT })).toEqual([])
  expect(problemsOf({ ...HTTP, headers: () => ({}) })).toEqual([])
})

test('credentials a transport cannot use are refused, each with a reason', () => {
  expect(problemsOf({ ...HTTP, credentials: { alice: { env: { TOKEN: 'a' } } } })).toEqual([
    'upstreams[0].credentials: an HTTP upstream takes { headers } credentials, not { env }',
  ])
  expect(problemsOf({ ...STDIO, credentials: { alice: { headers: { a: 'b' } } } })).toEqual([
    'upstreams[0].credentials: a stdio upstream takes { env } credentials, not { headers }',
  ])
  expect(problemsOf({ ...STDIO, shareProcess: true, credentials: { alice: { env: { T: 'a' } } } })).toEqual([
    'upstreams[0].credentials: one shared process cannot run as each identity: set "shareProcess: false"',
  ])
  expect(problemsOf({ ...STDIO, tokenExchange: CLIENT })).toEqual([
    'upstreams[0].tokenExchange: "tokenExchange" is for HTTP upstreams (a stdio upstream takes "env")',
  ])
})

test('two ways of giving each identity its credential are one too many', () => {
  expect(problemsOf({ ...HTTP, headers: () => ({}), tokenExchange: CLIENT })).toEqual([
    'upstreams[0].credentials: choose one of headers, tokenExchange: each gives every identity its credential',
  ])
})

test('an OAuth client has exactly one way to authenticate', () => {
  expect(problemsOf({ ...HTTP, oauth: { clientId: 'proxmcp', issuer: 'https://sso.example.com' } })).toEqual([
    'upstreams[0].oauth: expected either "clientSecret" or "privateKeyJwt"',
  ])
  expect(
    problemsOf({
      ...HTTP,
      oauth: { ...CLIENT, privateKeyJwt: { privateKey: '-----BEGIN PRIVATE KEY-----' } },
    }),
  ).toEqual(['upstreams[0].oauth: expected either "clientSecret" or "privateKeyJwt"'])
  expect(problemsOf({ ...HTTP, tokenExchange: { clientId: 'proxmcp', clientSecret: 's' } })).toEqual([
    'upstreams[0].tokenExchange: expected "tokenEndpoint", or "issuer" (the authorization server discovery may lead to)',
  ])
  expect(problemsOf({ ...HTTP, withoutCredential: 'allow' })).toEqual([
    'upstreams[0].withoutCredential: expected "hide" or "deny"',
  ])
})
