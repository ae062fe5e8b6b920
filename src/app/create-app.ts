import { isLegacyRequest, type McpHttpHandler } from '@modelcontextprotocol/server'
import { Hono } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import type { ResolvedConfig } from '../config/resolve.ts'
import { jsonRpcErrorResponse } from '../errors.ts'
import type { SessionRegistry } from '../session/session-registry.ts'
import { guardPolicy, rejectForeign } from './guard.ts'
import { readMessage } from './read-message.ts'

export interface AppDeps {
  config: ResolvedConfig
  sessions: SessionRegistry
  modern: McpHttpHandler
  /** Resolves once the upstreams have had their first connection attempt. */
  ready: () => Promise<void>
}

/** Bindings the runtime adapters pass to `fetch`. */
export type AppEnv = { Bindings: { clientAddress?: string } }

/**
 * The HTTP face of the proxy: Host/Origin checks, body limits and message validation, then each
 * request goes to the 2025-era session layer or the 2026-07-28 handler, by what it carries.
 */
export function createApp(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>()
  const policy = guardPolicy({
    host: deps.config.host ?? '127.0.0.1',
    allowedHosts: deps.config.allowedHosts,
    allowedOrigins: deps.config.allowedOrigins,
  })

  app.get('/healthz', (c) => c.json({ status: 'ok' }))

  app.use('/mcp', async (c, next) => rejectForeign(c.req.raw, policy) ?? next())
  app.post(
    '/mcp',
    bodyLimit({
      maxSize: deps.config.maxBodyBytes,
      onError: () =>
        jsonRpcErrorResponse(
          413,
          -32000,
          `Payload Too Large: the limit is ${deps.config.maxBodyBytes} bytes`,
        ),
    }),
    async (c) => {
      const read = await readMessage(c.req.raw)
      if ('refusal' in read) return read.refusal
      await deps.ready()
      if (await isLegacyRequest(c.req.raw, read.body)) return deps.sessions.handle(c.req.raw, read.body)
      return deps.modern.fetch(c.req.raw, { parsedBody: read.body })
    },
  )
  app.on(['GET', 'DELETE'], '/mcp', async (c) => {
    await deps.ready()
    return deps.sessions.handle(c.req.raw, undefined)
  })
  app.all('/mcp', () => jsonRpcErrorResponse(405, -32000, 'Method Not Allowed: use POST, GET or DELETE'))
  return app
}
