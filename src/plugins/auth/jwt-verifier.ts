import { errors, type JWTPayload, jwtVerify } from 'jose'
import { verificationKey } from './jwt-key.ts'
import type { JwtAuthOptions } from './types.ts'

export type TokenVerdict = { identity: string; scopes: string[] } | { invalid: string }

const DEFAULT_CLOCK_TOLERANCE_SEC = 30

/**
 * Verifies a bearer JWT: signature, `exp` (required), `nbf`, issuer and audience, with clock
 * leeway. A token that fails is `{ invalid: reason }`; a verifier that cannot work (the JWKS is
 * unreachable) throws, so the proxy answers 500 and logs it instead of blaming the client.
 */
export function jwtVerifier(
  options: JwtAuthOptions,
): (token: string, serverAudience?: string) => Promise<TokenVerdict> {
  const key = verificationKey(options)
  const audience = options.audience ?? options.resource
  if (audience === undefined) {
    throw new Error(
      "authPlugin: jwt mode needs 'audience' (or 'resource'): tokens must be meant for this proxy",
    )
  }
  const identityClaim = options.identityClaim ?? 'sub'
  const verifyOptions = {
    audience,
    issuer: options.issuer,
    algorithms: options.algorithms,
    clockTolerance: options.clockToleranceSec ?? DEFAULT_CLOCK_TOLERANCE_SEC,
    requiredClaims: ['exp'],
  }
  // A virtual server's requests also take tokens meant for it alone (RFC 8707 resource = `<resource>/<name>`).
  return async (token, serverAudience) => {
    let payload: JWTPayload
    try {
      const options = serverAudience
        ? { ...verifyOptions, audience: [...[audience].flat(), serverAudience] }
        : verifyOptions
      payload = (await jwtVerify(token, key, options)).payload
    } catch (error) {
      return { invalid: invalidReason(error) }
    }
    const identity = payload[identityClaim]
    if (typeof identity !== 'string' || identity === '') {
      return { invalid: `the token has no '${identityClaim}' claim` }
    }
    return { identity, scopes: scopesOf(payload) }
  }
}

function invalidReason(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'the token has expired'
  if (error instanceof errors.JWTClaimValidationFailed)
    return `the token's '${error.claim}' claim is not accepted`
  if (
    error instanceof errors.JWSSignatureVerificationFailed ||
    error instanceof errors.JWKSNoMatchingKey ||
    error instanceof errors.JWKSMultipleMatchingKeys
  ) {
    return 'the token signature is not valid'
  }
  if (
    error instanceof errors.JWSInvalid ||
    error instanceof errors.JWTInvalid ||
    error instanceof errors.JOSEAlgNotAllowed ||
    error instanceof errors.JOSENotSupported
  ) {
    return 'the token is malformed or signed with an algorithm that is not accepted'
  }
  throw error
}

/** Scopes from `scope` (space-separated, RFC 8693) or `scp` (a list or a string, as some servers send). */
function scopesOf(payload: JWTPayload): string[] {
  const raw = payload.scope ?? payload.scp
  const list = Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(' ') : []
  return list.filter((scope): scope is string => typeof scope === 'string' && scope.length > 0)
}
