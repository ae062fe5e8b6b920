import { constantTimeEqual, encode } from '../plugins/auth/constant-time.ts'

function base64url(bytes: ArrayBuffer): string {
  return btoa(String.fromCharCode(...new Uint8Array(bytes)))
    .replaceAll('+', '-')
    .replaceAll('/', '_')
    .replace(/=+$/, '')
}

/**
 * Session ids a cluster issues: a random part and an HMAC of it under the cluster's secret. Any
 * replica tells a forged or foreign id (another cluster on the same Redis) from one of its own
 * without asking Redis, so made-up ids cost no round trip.
 */
const encoder = new TextEncoder()

export class SessionIds {
  private readonly key: Promise<CryptoKey>

  constructor(secret: string) {
    this.key = crypto.subtle.importKey(
      'raw',
      encoder.encode(secret),
      { name: 'HMAC', hash: 'SHA-256' },
      false,
      ['sign'],
    )
  }

  async issue(): Promise<string> {
    const random = crypto.randomUUID().replaceAll('-', '')
    return `${random}.${await this.tag(random)}`
  }

  async isOurs(id: string): Promise<boolean> {
    const dot = id.indexOf('.')
    if (dot !== 32 || id.length > 80) return false
    const expected = await this.tag(id.slice(0, dot))
    return constantTimeEqual(encode(id.slice(dot + 1)), encode(expected))
  }

  private async tag(random: string): Promise<string> {
    const mac = await crypto.subtle.sign('HMAC', await this.key, encoder.encode(random))
    return base64url(mac.slice(0, 18))
  }
}
