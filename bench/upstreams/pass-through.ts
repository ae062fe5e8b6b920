/**
 * The floor for any HTTP proxy on this machine: Bun.serve handing each request to `fetch` and the
 * answer straight back, bytes untouched, no MCP parsing. Given several `--to`, a round-robin
 * balancer without affinity: each request goes to the next one in turn.
 *   bun bench/upstreams/pass-through.ts --port N --to URL [--to URL ...]
 */
import { parseArgs } from 'node:util'

const { values } = parseArgs({
  options: { port: { type: 'string' }, to: { type: 'string', multiple: true } },
})
const targets = (values.to ?? []).map((url) => new URL(url))
let turn = 0
const HOP_BY_HOP = ['connection', 'keep-alive', 'transfer-encoding', 'host', 'content-length']

Bun.serve({
  port: Number(values.port),
  hostname: '127.0.0.1',
  idleTimeout: 0,
  async fetch(request) {
    const headers = new Headers(request.headers)
    for (const name of HOP_BY_HOP) headers.delete(name)
    const body = request.method === 'POST' ? await request.arrayBuffer() : undefined
    const target = targets[turn++ % targets.length] as URL
    const answer = await fetch(target, { method: request.method, headers, body })
    const back = new Headers(answer.headers)
    for (const name of HOP_BY_HOP) back.delete(name)
    return new Response(answer.body, { status: answer.status, headers: back })
  },
})
