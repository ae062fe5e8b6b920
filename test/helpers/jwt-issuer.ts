import { exportJWK, exportSPKI, generateKeyPair, type JWTPayload, SignJWT } from 'jose'

export interface JwtIssuer {
  /** The issuer URL, which also serves `/jwks.json`. */
  issuer: string
  jwksUrl: string
  /** The public key as SPKI PEM. */
  publicKeyPem: string
  /** A token signed with the published key; `claims` override the defaults (sub alice, 5 min). */
  sign(claims?: JWTPayload & { audience?: string }): Promise<string>
  /** A token with the published key id, signed with a key nobody published. */
  forge(claims?: JWTPayload): Promise<string>
  close(): Promise<void>
}

const KID = 'test-key'

/** An authorization server stand-in on loopback: an RS256 key pair and its JWKS. */
export async function startJwtIssuer(audience: string): Promise<JwtIssuer> {
  const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true })
  const forger = await generateKeyPair('RS256')
  const jwk = { ...(await exportJWK(publicKey)), kid: KID, alg: 'RS256', use: 'sig' }
  const http = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    fetch: (request) =>
      new URL(request.url).pathname === '/jwks.json'
        ? Response.json({ keys: [jwk] })
        : new Response('not found', { status: 404 }),
  })
  const issuer = `http://127.0.0.1:${http.port}`
  const signWith = (
    key: CryptoKey,
    { audience: aud = audience, ...claims }: JWTPayload & { audience?: string },
  ) =>
    new SignJWT({ sub: 'alice', ...claims })
      .setProtectedHeader({ alg: 'RS256', kid: KID })
      .setIssuer(claims.iss ?? issuer)
      .setAudience(aud)
      .setIssuedAt()
      .setExpirationTime(claims.exp ?? '5m')
      .sign(key)
  return {
    issuer,
    jwksUrl: `${issuer}/jwks.json`,
    publicKeyPem: await exportSPKI(publicKey),
    sign: (claims = {}) => signWith(privateKey, claims),
    forge: (claims = {}) => signWith(forger.privateKey, claims),
    close: () => http.stop(true),
  }
}
