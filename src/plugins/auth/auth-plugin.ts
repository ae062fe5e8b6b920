import { setVerifiedToken } from '../context.ts'
import type { ProxMCPPlugin } from '../types.ts'
import { accessFilter } from './access.ts'
import { apiKeyAuthenticator } from './api-keys.ts'
import { jwtAuthenticator } from './jwt-auth.ts'
import type { AuthOptions } from './types.ts'

/** Where the verified scopes of a request are left for later plugins (`ctx.state`). */
export const AUTH_SCOPES_STATE = 'auth.scopes'

/**
 * Authenticates every request to `/mcp` (POST, GET and DELETE, both protocol eras) and sets
 * `ctx.identity`; a missing or wrong credential is a 401 with `WWW-Authenticate: Bearer`.
 * `/.well-known/*` stays public (in JWT mode this plugin serves the OAuth Protected Resource
 * Metadata there). Put it first, or after an IP rate limiter, so nothing runs for strangers.
 *
 * @example
 * ```ts
 * authPlugin({ mode: 'apikey', keys: { alice: process.env.ALICE_KEY!, ci: process.env.CI_KEY! } })
 *
 * authPlugin({
 *   mode: 'jwt',
 *   jwksUrl: 'https://auth.example.com/.well-known/jwks.json',
 *   issuer: 'https://auth.example.com',
 *   audience: 'https://mcp.example.com/mcp',
 *   resource: 'https://mcp.example.com/mcp',
 *   access: { 'ops-bot': ['*'], '*': ['search_*', 'read_file'] },
 * })
 * ```
 */
export function authPlugin(options: AuthOptions): ProxMCPPlugin {
  const authenticator = options.mode === 'jwt' ? jwtAuthenticator(options) : apiKeyAuthenticator(options)
  return {
    name: 'auth',
    async onRequest(ctx, request) {
      if (ctx.http.path.startsWith('/.well-known/')) return authenticator.wellKnown?.(request, ctx.http.path)
      const verdict = await authenticator.authenticate(request)
      if ('refusal' in verdict) return verdict.refusal
      ctx.identity = verdict.identity
      if (verdict.jwt) setVerifiedToken(ctx, verdict.jwt)
      ctx.state.set(AUTH_SCOPES_STATE, verdict.scopes)
      return undefined
    },
    ...(options.access && { filterTools: accessFilter(options.access) }),
  }
}
