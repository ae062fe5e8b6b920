import { errorResponse, proxyErrors } from '../errors.ts'
import { constantTimeEqual, encode } from '../plugins/auth/constant-time.ts'

/**
 * Who may see the page: anyone when no admin key is set (the proxy is bound to loopback, which
 * the config checks), else a browser sending the key as HTTP Basic credentials, any user name.
 * The key is compared in constant time.
 */
export function refuseViewer(request: Request, adminKey: string | undefined): Response | undefined {
  if (adminKey === undefined) return undefined
  const presented = basicPassword(request.headers.get('authorization'))
  if (presented !== undefined && constantTimeEqual(encode(presented), encode(adminKey))) return undefined
  const refusal = errorResponse(proxyErrors.uiUnauthorized())
  refusal.headers.set('www-authenticate', 'Basic realm="ProxMCP status", charset="UTF-8"')
  return refusal
}

/**
 * An action (a POST) must come from the page: the token the page was served with, in a header a
 * cross-site form cannot set, and an Origin, when the browser sends one, that is the page's own.
 */
export function refuseAction(request: Request, token: string): Response | undefined {
  const presented = request.headers.get('x-proxmcp-token') ?? ''
  const origin = request.headers.get('origin')
  const sameOrigin =
    origin === null || (URL.canParse(origin) && new URL(origin).host === request.headers.get('host'))
  if (sameOrigin && constantTimeEqual(encode(presented), encode(token))) return undefined
  return errorResponse(proxyErrors.uiActionRefused())
}

function basicPassword(header: string | null): string | undefined {
  const encoded = header?.match(/^Basic\s+([A-Za-z0-9+/=]+)$/i)?.[1]
  if (!encoded) return undefined
  try {
    const decoded = new TextDecoder().decode(Uint8Array.from(atob(encoded), (c) => c.charCodeAt(0)))
    const colon = decoded.indexOf(':')
    return colon < 0 ? undefined : decoded.slice(colon + 1)
  } catch {
    return undefined
  }
}
