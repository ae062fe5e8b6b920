import type { Client } from '@modelcontextprotocol/client'
import {
  type IdentityEchoOptions,
  type IdentityEchoServer,
  startIdentityEchoServer,
} from '../fixtures/identity-echo-server.ts'
import { type ClientEra, connectClient } from './clients.ts'
import { type OAuthServer, startOAuthServer } from './oauth-server.ts'

/** The API keys of the identities the credential tests use. */
export const API_KEYS = {
  alice: 'alice-key-0123456789',
  bob: 'bob-key-0123456789',
  carol: 'carol-key-0123456789',
}
export type Who = keyof typeof API_KEYS

const SECRET = 's'

/**
 * An authorization server, an upstream that verifies its tokens, and a token for each of `owners`
 * issued for that upstream: what users paste as personal tokens (GitHub-style).
 */
export interface PersonalTokens {
  auth: OAuthServer
  echo: IdentityEchoServer
  /** `Authorization` with the token of this owner. */
  bearer(owner: string): { authorization: string }
  tokens(): string[]
  close(): Promise<void>
}

export async function startPersonalTokens(
  owners: string[],
  echoOptions: Partial<IdentityEchoOptions> = {},
): Promise<PersonalTokens> {
  const auth = await startOAuthServer({
    clients: Object.fromEntries(owners.map((owner) => [owner, { secret: SECRET }])),
  })
  const echo = await startIdentityEchoServer({
    jwksUrl: auth.jwksUrl,
    authorizationServer: auth.issuer,
    ...echoOptions,
  })
  const tokens = new Map<string, string>()
  for (const owner of owners) {
    const response = await fetch(auth.tokenEndpoint, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: owner,
        client_secret: SECRET,
        resource: echo.audience,
      }),
    })
    tokens.set(owner, ((await response.json()) as { access_token: string }).access_token)
  }
  return {
    auth,
    echo,
    bearer: (owner) => ({ authorization: `Bearer ${tokens.get(owner)}` }),
    tokens: () => [...tokens.values()],
    close: async () => {
      await echo.close()
      await auth.close()
    },
  }
}

/** SDK clients that sign in with an API key, closed together at the end. */
export function apiKeyClients() {
  const open: Client[] = []
  return {
    async connect(url: string, who: Who, era: ClientEra = 'legacy'): Promise<Client> {
      const client = await connectClient(url, { era, headers: { 'x-api-key': API_KEYS[who] } })
      open.push(client)
      return client
    },
    closeAll: () => Promise.all(open.splice(0).map((client) => client.close().catch(() => {}))),
  }
}
