/**
 * The Streamable HTTP upstream of the bench, in a process of its own:
 *   bun bench/upstreams/http-upstream.ts [--count N] [--filler-tools N] [--era both|legacy]
 * Serves N instances (`u1`, `u2`, ...) on free loopback ports and prints their URLs as one JSON line.
 * `both`: 2026-07-28 requests through createMcpHandler, 2025-era ones through a sessionful transport
 * per session. `legacy`: a 2025-era-only server (what most servers in the wild still are).
 */
import { parseArgs } from 'node:util'
import {
  createMcpHandler,
  isLegacyRequest,
  WebStandardStreamableHTTPServerTransport,
} from '@modelcontextprotocol/server'
import { createEchoServer, type EchoServerOptions } from './echo-server.ts'

function serveOne(options: EchoServerOptions, modern: boolean): string {
  const sessions = new Map<string, WebStandardStreamableHTTPServerTransport>()
  const modernHandler = createMcpHandler(() => createEchoServer(options), { legacy: 'reject' })
  const legacy = async (request: Request, parsedBody: unknown) => {
    const sessionId = request.headers.get('mcp-session-id')
    const existing = sessionId ? sessions.get(sessionId) : undefined
    if (existing) return existing.handleRequest(request, { parsedBody })
    if (sessionId) return new Response('unknown session', { status: 404 })
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: () => crypto.randomUUID(),
      enableJsonResponse: true,
      onsessioninitialized: (id) => void sessions.set(id, transport),
      onsessionclosed: (id) => void sessions.delete(id),
    })
    await createEchoServer(options).connect(transport)
    return transport.handleRequest(request, { parsedBody })
  }
  const server = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    idleTimeout: 0,
    async fetch(request) {
      const body = request.method === 'POST' ? await request.json().catch(() => undefined) : undefined
      if (!modern || (await isLegacyRequest(request, body))) return legacy(request, body)
      return modernHandler.fetch(request, { parsedBody: body })
    },
  })
  return `http://127.0.0.1:${server.port}/mcp`
}

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '1' },
    'filler-tools': { type: 'string', default: '10' },
    era: { type: 'string', default: 'both' },
  },
})
const count = Number(values.count)
const fillerTools = Number(values['filler-tools'])
const urls = Array.from({ length: count }, (_, index) =>
  serveOne({ name: `u${index + 1}`, fillerTools }, values.era !== 'legacy'),
)
process.stdout.write(`${JSON.stringify({ urls })}\n`)
