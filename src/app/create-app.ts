import { isLegacyRequest, type McpHttpHandler } from '@modelcontextprotocol/server'
import { Hono } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import type { ResolvedConfig } from '../config/resolve.ts'
import { jsonRpcErrorResponse } from '../errors.ts'
import { authInfoFor, createContext } from '../plugins/context.ts'
import type { PluginPipeline } from '../plugins/pipeline.ts'
import type { ProxMCPContext } from '../plugins/types.ts'
import type { SessionRegistry } from '../session/session-registry.ts'
import { guardPolicy, rejectForeign } from './guard.ts'
import { readMessage } from './read-message.ts'

export interface AppDeps {
  config: ResolvedConfig
  sessions: SessionRegistry
  modern: McpHttpHandler
  plugins: PluginPipeline
  /** Resolves once the upstreams have had their first connection attempt. */
  ready: () => Promise<void>
}

/** Bindings the runtime adapters pass to `fetch`. */
export type AppEnv = { Bindings: { clientAddress?: string } }

/**
 * The HTTP face of the proxy: Host/Origin checks, body limits and message validation, plugin
 * hooks, then each request goes to the 2025-era session layer or the 2026-07-28 handler, by what
 * it carries.
 */
export function createApp(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>()
  const policy = guardPolicy({
    host: deps.config.host ?? '127.0.0.1',
    allowedHosts: deps.config.allowedHosts,
    allowedOrigins: deps.config.allowedOrigins,
  })

  /** Runs the plugin hooks around serving one MCP request. */
  const withPlugins = async (ctx: ProxMCPContext, request: Request, serve: () => Promise<Response>) => {
    const startedAt = performance.now()
    const response = (await deps.plugins.onRequest(ctx, request)) ?? (await serve())
    await deps.plugins.onResponse(ctx, response, performance.now() - startedAt)
    return response
  }

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
      const request = c.req.raw
      const ctx = createContext(request, c.env?.clientAddress, read.body)
      return withPlugins(ctx, request, async () => {
        await deps.ready()
        const options = { parsedBody: read.body, authInfo: authInfoFor(ctx, request) }
        if (await isLegacyRequest(request, read.body)) return deps.sessions.handle(request, options)
        return deps.modern.fetch(request, options)
      })
    },
  )
  app.on(['GET', 'DELETE'], '/mcp', (c) => {
    const ctx = createContext(c.req.raw, c.env?.clientAddress)
    return withPlugins(ctx, c.req.raw, async () => {
      await deps.ready()
      return deps.sessions.handle(c.req.raw, { authInfo: authInfoFor(ctx, c.req.raw) })
    })
  })
  app.all('/mcp', () => jsonRpcErrorResponse(405, -32000, 'Method Not Allowed: use POST, GET or DELETE'))
  // Plugins answer discovery documents (OAuth Protected Resource Metadata); without one it is a 404.
  app.get('/.well-known/*', (c) =>
    withPlugins(createContext(c.req.raw, c.env?.clientAddress), c.req.raw, async () => c.notFound()),
  )
  return app
}
