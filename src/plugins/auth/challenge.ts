import { refusal } from '../refusal.ts'

export interface Challenge {
  /** RFC 6750 error code; absent when the request carried no credentials at all. */
  error?: 'invalid_token' | 'insufficient_scope'
  description?: string
  scope?: string
  /** RFC 9728 Protected Resource Metadata URL (JWT mode). */
  resourceMetadata?: string
}

/** The 401 (or 403 for `insufficient_scope`) answer, with its `WWW-Authenticate: Bearer` challenge. */
export function challengeResponse(message: string, challenge: Challenge = {}): Response {
  const forbidden = challenge.error === 'insufficient_scope'
  return refusal(forbidden ? 403 : 401, forbidden ? 'forbidden' : 'unauthorized', message, {
    'www-authenticate': wwwAuthenticate(challenge),
  })
}

function wwwAuthenticate(challenge: Challenge): string {
  const params: [string, string | undefined][] = [
    ['realm', 'proxmcp'],
    ['error', challenge.error],
    ['error_description', challenge.description],
    ['scope', challenge.scope],
    ['resource_metadata', challenge.resourceMetadata],
  ]
  return `Bearer ${params
    .filter((param): param is [string, string] => param[1] !== undefined)
    .map(([name, value]) => `${name}="${value.replace(/["\\]/g, "'")}"`)
    .join(', ')}`
}
