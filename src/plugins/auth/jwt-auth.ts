import { challengeResponse } from './challenge.ts'
import { bearerToken } from './credentials.ts'
import { jwtVerifier } from './jwt-verifier.ts'
import { protectedResource, resourceOf, serverOf } from './protected-resource.ts'
import type { Authenticator, JwtAuthOptions } from './types.ts'

/** Bearer JWTs, with RFC 9728 discovery: every 401 points to the Protected Resource Metadata. */
export function jwtAuthenticator(options: JwtAuthOptions): Authenticator {
  const verify = jwtVerifier(options)
  const resource = protectedResource(options)
  const required = options.requiredScopes ?? []
  return {
    async authenticate(request) {
      const resourceMetadata = resource?.metadataUrl(request)
      const token = bearerToken(request)
      if (token === undefined) {
        return { refusal: challengeResponse('Unauthorized: send a bearer token', { resourceMetadata }) }
      }
      const server = serverOf(request)
      const verdict = await verify(token, server && resourceOf(options, request, server).href)
      if ('invalid' in verdict) {
        return {
          refusal: challengeResponse(`Unauthorized: ${verdict.invalid}`, {
            error: 'invalid_token',
            description: verdict.invalid,
            resourceMetadata,
          }),
        }
      }
      const missing = required.filter((scope) => !verdict.scopes.includes(scope))
      if (missing.length > 0) {
        return {
          refusal: challengeResponse(`Forbidden: the token lacks the scope ${missing.join(' ')}`, {
            error: 'insufficient_scope',
            scope: required.join(' '),
            resourceMetadata,
          }),
        }
      }
      return { ...verdict, jwt: token }
    },
    wellKnown: (request, path) => resource?.document(request, path),
  }
}
