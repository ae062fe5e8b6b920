import {
  buildOAuthProtectedResourceMetadata,
  getOAuthProtectedResourceMetadataUrl,
  type OAuthMetadata,
  type OAuthProtectedResourceMetadata,
} from '@modelcontextprotocol/server'
import type { JwtAuthOptions } from './types.ts'

export interface ProtectedResource {
  /** Where the metadata document for this request's resource lives (for `resource_metadata=`). */
  metadataUrl(request: Request): string
  /** The metadata document when `request` asks for it, else undefined. */
  document(request: Request, path: string): Response | undefined
}

/** Where clients that do not read `resource_metadata` from the 401 look last (MCP authorization spec). */
const ROOT_METADATA_PATH = '/.well-known/oauth-protected-resource'

/** A request to a virtual server's endpoint, and its name. */
const SERVER_PATH = /^\/(?:mcp|sse)\/([^/]+)/

/** The resource a request is for: the proxy's (`resource`, else `/mcp` on its origin), or a virtual server's below it. */
export function resourceOf(
  options: Pick<JwtAuthOptions, 'resource'>,
  request: Request,
  server?: string,
): URL {
  const base = new URL(options.resource ?? new URL('/mcp', request.url))
  return server ? new URL(`${base.href.replace(/\/$/, '')}/${server}`) : base
}

/** The virtual server a request addresses (`/mcp/<name>`, `/sse/<name>/…`), if any. */
export function serverOf(request: Request): string | undefined {
  return SERVER_PATH.exec(new URL(request.url).pathname)?.[1]
}

/**
 * RFC 9728 Protected Resource Metadata for `/mcp`, served at
 * `/.well-known/oauth-protected-resource/mcp` (and at the root variant, for clients that probe
 * it), and for each virtual server at `/.well-known/oauth-protected-resource/mcp/<name>`, so
 * clients find the authorization server from a 401. Undefined when no authorization server is known.
 */
export function protectedResource(options: JwtAuthOptions): ProtectedResource | undefined {
  const servers =
    options.authorizationServers ?? (typeof options.issuer === 'string' ? [options.issuer] : undefined)
  if (!servers?.length) return undefined
  const metadataFor = (resourceServerUrl: URL): OAuthProtectedResourceMetadata => {
    // The SDK builder takes one authorization server and checks its URL (HTTPS outside localhost): run it for each.
    const [first] = servers.map((issuer) =>
      buildOAuthProtectedResourceMetadata({
        oauthMetadata: { issuer } as OAuthMetadata,
        resourceServerUrl,
        scopesSupported: options.scopesSupported,
        resourceName: options.resourceName,
      }),
    )
    return { ...(first as OAuthProtectedResourceMetadata), authorization_servers: servers }
  }
  // A bad authorization server URL fails at startup rather than on the first request.
  metadataFor(new URL(options.resource ?? 'http://localhost/mcp'))
  return {
    metadataUrl: (request) =>
      getOAuthProtectedResourceMetadataUrl(resourceOf(options, request, serverOf(request))),
    document(request, path) {
      const ownPath = new URL(getOAuthProtectedResourceMetadataUrl(resourceOf(options, request))).pathname
      const server = path.startsWith(`${ownPath}/`) ? path.slice(ownPath.length + 1) : undefined
      if (path !== ownPath && path !== ROOT_METADATA_PATH && !server) return undefined
      return Response.json(metadataFor(resourceOf(options, request, server)), {
        headers: { 'access-control-allow-origin': '*', 'cache-control': 'max-age=3600' },
      })
    },
  }
}
