import type { FetchLike } from '@modelcontextprotocol/client'
import type { Credential } from './credential.ts'

/**
 * A fetch that sends each request with the credential's current headers, and on a 401 lets the
 * credential renew itself and retries once (MCP authorization: refresh, then try again).
 */
export function credentialFetch(base: FetchLike, credential: Credential): FetchLike {
  const send = async (url: string | URL, init: RequestInit | undefined) => {
    const headers = new Headers(init?.headers)
    for (const [name, value] of Object.entries((await credential.headers?.()) ?? {})) headers.set(name, value)
    return base(url, { ...init, headers })
  }
  return async (url, init) => {
    const response = await send(url, init)
    if (response.status !== 401 || !credential.unauthorized) return response
    if (!(await credential.unauthorized(response))) return response
    void response.body?.cancel().catch(() => {})
    return send(url, init)
  }
}
