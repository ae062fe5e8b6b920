import { createRemoteJWKSet, importSPKI, type JWTVerifyGetKey, type KeyInput } from 'jose'
import type { JwtAuthOptions } from './types.ts'

/**
 * The key (or key resolver) tokens are verified with: a remote JWKS, a public key, or a secret.
 * Exactly one must be configured; a PEM is imported on first use (importing is async).
 */
export function verificationKey(options: JwtAuthOptions): KeyInput | JWTVerifyGetKey {
  const sources = [options.jwksUrl, options.publicKey, options.secret].filter(
    (source) => source !== undefined,
  )
  if (sources.length !== 1) {
    throw new Error("authPlugin: jwt mode needs exactly one of 'jwksUrl', 'publicKey' or 'secret'")
  }
  if (options.jwksUrl !== undefined) return createRemoteJWKSet(new URL(options.jwksUrl))
  if (options.secret !== undefined) {
    if (!options.secret) throw new Error("authPlugin: 'secret' is empty")
    return new TextEncoder().encode(options.secret)
  }
  const publicKey = options.publicKey as NonNullable<JwtAuthOptions['publicKey']>
  if (typeof publicKey !== 'string') return publicKey
  let imported: ReturnType<typeof importSPKI> | undefined
  return () => {
    imported ??= importSPKI(publicKey, options.algorithms?.[0] ?? 'RS256')
    return imported
  }
}
