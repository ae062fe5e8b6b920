import { expect, test } from 'bun:test'
import { requestToken, TokenRequestError } from '../../../src/credentials/token-request.ts'

const endpoint = { url: 'http://127.0.0.1:1/token' }
const unreachable = async (): Promise<Response> => {
  throw new Error('connection refused')
}

test('a private key that cannot sign is a token request error that says so, before anything is sent', async () => {
  const client = {
    clientId: 'proxmcp',
    privateKeyJwt: {
      privateKey: '-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----',
      algorithm: 'RS256',
    },
  }
  const failure = await requestToken(
    endpoint,
    { grant_type: 'client_credentials' },
    client,
    unreachable,
  ).catch((error: Error) => error)
  expect(failure).toBeInstanceOf(TokenRequestError)
  expect((failure as Error).message).toStartWith('privateKeyJwt could not sign the client assertion')
})

test('an unreachable token endpoint is a token request error naming it as such', async () => {
  const failure = await requestToken(
    endpoint,
    { grant_type: 'client_credentials' },
    { clientId: 'proxmcp', clientSecret: 's' },
    unreachable,
  ).catch((error: Error) => error)
  expect(failure).toBeInstanceOf(TokenRequestError)
  expect((failure as Error).message).toBe('the token endpoint is unreachable (connection refused)')
})

test('an answer without an access token, and a refusal, are explained without any token', async () => {
  const answering = (status: number, body: unknown) => async () => Response.json(body, { status })
  const client = { clientId: 'proxmcp', clientSecret: 's' }
  const grant = { grant_type: 'client_credentials' }
  await expect(
    requestToken(endpoint, grant, client, answering(200, { token_type: 'Bearer' })),
  ).rejects.toThrow('the token endpoint answered without an access_token')
  await expect(
    requestToken(
      endpoint,
      grant,
      client,
      answering(400, { error: 'invalid_scope', error_description: 'no such scope' }),
    ),
  ).rejects.toThrow('the authorization server refused (invalid_scope: no such scope)')
  const issued = await requestToken(
    endpoint,
    grant,
    client,
    answering(200, { access_token: 'opaque', expires_in: 60 }),
  )
  expect(issued.accessToken).toBe('opaque')
  expect(issued.lifetimeMs).toBe(60_000)
})
