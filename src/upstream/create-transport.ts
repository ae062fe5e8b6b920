import { type FetchLike, SSEClientTransport, type Transport } from '@modelcontextprotocol/client'
import type { UpstreamConfig } from '../config/resolve.ts'
import type { Credential } from '../credentials/credential.ts'
import { credentialFetch } from '../credentials/credential-fetch.ts'
import { proxyErrors } from '../errors.ts'
import type { SpawnFn, SpawnOptions } from '../runtime/types.ts'
import { BoundedHttpTransport } from './bounded-http-transport.ts'
import { type StdioEvents, StdioUpstreamTransport } from './stdio-transport.ts'

export interface TransportDeps extends StdioEvents {
  /** Present where the runtime can start processes (Bun, Node); absent on Workers and Deno Deploy. */
  spawn?: SpawnFn
  /** How HTTP upstreams are reached (the global fetch unless given). */
  fetch?: FetchLike
  /** The upstream broke the protocol in a way the transport reads past, named in a few words. */
  onTolerated?(deviation: string): void
}

/** A Streamable HTTP connection to an upstream session other replicas speak in too (cluster mode). */
export interface SharedSessionTransport {
  /** The session to go on with, rather than a new one. */
  sessionId?: string
  /** Makes this connection's request ids its own within the session. */
  requestIdPrefix: string
}

/**
 * The one place where the three upstream transports differ: how they connect, with the
 * credential they connect with (headers over HTTP, environment for a process).
 */
export function createTransport(
  upstream: UpstreamConfig,
  deps: TransportDeps,
  credential: Credential,
  shared?: SharedSessionTransport,
): Transport {
  const requestInit = credential.fixedHeaders ? { headers: credential.fixedHeaders } : undefined
  const fetch = credential.headers ? credentialFetch(deps.fetch ?? globalThis.fetch, credential) : deps.fetch
  switch (upstream.transport) {
    case 'streamable-http':
      return new BoundedHttpTransport(
        upstream.id,
        new URL(upstream.url as string),
        { requestInit, fetch, ...(shared?.sessionId && { sessionId: shared.sessionId }) },
        deps.onTolerated,
        shared?.requestIdPrefix,
      )
    case 'sse':
      return new SSEClientTransport(new URL(upstream.url as string), { requestInit, fetch })
    case 'stdio': {
      if (!deps.spawn) {
        throw proxyErrors.cannotRunStdio(upstream.id)
      }
      return new StdioUpstreamTransport(deps.spawn, spawnOptions(upstream, credential.env), deps)
    }
  }
}

/**
 * How a stdio upstream's process is started. The upstream's `env` is its own process's (which may
 * hold its service credential): a process started for an identity gets that identity's instead.
 */
export function spawnOptions(upstream: UpstreamConfig, env?: Record<string, string>): SpawnOptions {
  return {
    command: upstream.command as string[],
    env: env ?? upstream.env,
    cwd: upstream.cwd,
  }
}
