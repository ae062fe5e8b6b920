import { challengeResponse } from './challenge.ts'
import { constantTimeEqual, encode } from './constant-time.ts'
import { presentedApiKey } from './credentials.ts'
import type { ApiKeyAuthOptions, Authenticator } from './types.ts'

interface KeyEntry {
  identity: string
  bytes: Uint8Array
}

/** Checks API keys against every configured key, always all of them, in constant time each. */
export function apiKeyAuthenticator(options: ApiKeyAuthOptions): Authenticator {
  const entries = keyEntries(options.keys)
  return {
    async authenticate(request) {
      const presented = presentedApiKey(request)
      if (presented === undefined) {
        return {
          refusal: challengeResponse(
            "Unauthorized: send an API key as 'Authorization: Bearer <key>' or 'X-API-Key: <key>'",
          ),
        }
      }
      const identity = matchKey(encode(presented), entries)
      if (identity === undefined) {
        return {
          refusal: challengeResponse('Unauthorized: the API key is not valid', {
            error: 'invalid_token',
            description: 'The API key is not valid',
          }),
        }
      }
      return { identity, scopes: [] }
    },
  }
}

function matchKey(presented: Uint8Array, entries: KeyEntry[]): string | undefined {
  let identity: string | undefined
  for (const entry of entries) {
    const equal = constantTimeEqual(presented, entry.bytes)
    identity = equal ? entry.identity : identity
  }
  return identity
}

/** Named keys keep their names; unnamed ones become `key-1`, `key-2`, … (never the key itself). */
export function keyEntries(keys: ApiKeyAuthOptions['keys']): KeyEntry[] {
  const named: [string, string][] =
    typeof keys === 'string' || Array.isArray(keys)
      ? listOf(keys as string | readonly string[]).map((key, index) => [`key-${index + 1}`, key])
      : Object.entries(keys).map(([identity, key]) => [identity.trim(), key.trim()])
  if (named.length === 0) throw new Error('authPlugin: no API keys configured')
  const seen = new Set<string>()
  return named.map(([identity, key]) => {
    if (!identity) throw new Error('authPlugin: an API key name is empty')
    if (!key) throw new Error(`authPlugin: the API key '${identity}' is empty`)
    if (seen.has(key)) throw new Error(`authPlugin: the API key '${identity}' is configured twice`)
    seen.add(key)
    return { identity, bytes: encode(key) }
  })
}

function listOf(keys: string | readonly string[]): string[] {
  const list = typeof keys === 'string' ? keys.split(',') : [...keys]
  return list.map((key) => key.trim()).filter((key) => key.length > 0)
}
