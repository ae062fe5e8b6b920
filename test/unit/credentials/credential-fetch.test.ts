import { expect, test } from 'bun:test'
import type { Credential } from '../../../src/credentials/credential.ts'
import { credentialFetch } from '../../../src/credentials/credential-fetch.ts'

/** An upstream that accepts one token, answering 401 to any other, and records what it was sent. */
function upstream(accepted: () => string) {
  const sent: { authorization: string | null; body: string }[] = []
  const fetchFn = async (_url: string | URL, init?: RequestInit) => {
    const headers = new Headers(init?.headers)
    sent.push({ authorization: headers.get('authorization'), body: String(init?.body ?? '') })
    return headers.get('authorization') === `Bearer ${accepted()}`
      ? new Response('ok')
      : new Response('no', { status: 401, headers: { 'www-authenticate': 'Bearer error="invalid_token"' } })
  }
  return { fetchFn, sent }
}

function tokenCredential(tokens: string[]): Credential & { renewals: number } {
  const credential = {
    key: 'alice',
    renewals: 0,
    headers: async () => ({ authorization: `Bearer ${tokens[credential.renewals]}` }),
    unauthorized: async () => {
      credential.renewals++
      return credential.renewals < tokens.length
    },
  }
  return credential
}

test("each request carries the credential's headers over the transport's own", async () => {
  const { fetchFn, sent } = upstream(() => 't1')
  const send = credentialFetch(fetchFn, tokenCredential(['t1']))
  const response = await send('http://upstream/mcp', { headers: { 'mcp-session-id': 's' }, body: '{}' })
  expect(response.status).toBe(200)
  expect(sent).toEqual([{ authorization: 'Bearer t1', body: '{}' }])
})

test('a 401 renews the credential and retries the same request once', async () => {
  const { fetchFn, sent } = upstream(() => 't2')
  const credential = tokenCredential(['t1', 't2'])
  const response = await credentialFetch(fetchFn, credential)('http://upstream/mcp', {
    method: 'POST',
    body: '{"id":1}',
  })
  expect(response.status).toBe(200)
  expect(sent).toEqual([
    { authorization: 'Bearer t1', body: '{"id":1}' },
    { authorization: 'Bearer t2', body: '{"id":1}' },
  ])
})

test('a second 401 is the answer: no retry loop', async () => {
  const { fetchFn, sent } = upstream(() => 'never')
  const credential = tokenCredential(['t1', 't2', 't3'])
  const response = await credentialFetch(fetchFn, credential)('http://upstream/mcp', { body: '{}' })
  expect(response.status).toBe(401)
  expect(sent).toHaveLength(2)
})

test('a credential that cannot renew gets the 401 as it came', async () => {
  const { fetchFn, sent } = upstream(() => 'never')
  const response = await credentialFetch(fetchFn, tokenCredential(['t1']))('http://upstream/mcp', {})
  expect(response.status).toBe(401)
  expect(await response.text()).toBe('no')
  expect(sent).toHaveLength(1)
})
