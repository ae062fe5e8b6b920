/**
 * What tool search gives and costs: `bun bench/tool-search/report.ts`.
 * - The size of `tools/list` for a 300-tool catalog (two upstreams serving the published servers'
 *   tools, namespaced), through the proxy with and without tool search, in bytes and estimated tokens.
 * - Ranking quality over catalog.json: top-1 and top-3 on queries.json, the labelled queries the
 *   ranking was tuned on, and on queries-holdout.json, written apart from it and never tuned on.
 * - `search_tools` ranking time at 300 and 3,000 tools: p50 and p99 over the labelled queries.
 */
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client'
import { createMcpHandler, Server } from '@modelcontextprotocol/server'
import { type ScopedSearch, ToolIndex } from '../../src/aggregate/tool-index.ts'
import { ProxMCP } from '../../src/proxy.ts'
import { serveWithBun } from '../../src/runtime/bun.ts'
import type { JsonObject } from '../../src/upstream/link.ts'
import catalog from './catalog.json'
import queries from './queries.json'
import holdout from './queries-holdout.json'

const published = (catalog as { tools: JsonObject[] }[]).flatMap((server) => server.tools)

/** `count` tools: the published ones, then copies under other names. */
function toolsUpTo(count: number): JsonObject[] {
  return Array.from({ length: count }, (_, i) => {
    const tool = published[i % published.length] as JsonObject
    return i < published.length ? tool : { ...tool, name: `${tool.name}_${Math.floor(i / published.length)}` }
  })
}

function upstreamServing(tools: JsonObject[]) {
  const handler = createMcpHandler(() => {
    const server = new Server({ name: 'catalog', version: '1.0.0' }, { capabilities: { tools: {} } })
    server.setRequestHandler('tools/list', () => ({ tools }) as never)
    return server
  })
  const http = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: (request) => handler.fetch(request) })
  return { url: `http://127.0.0.1:${http.port}/mcp`, stop: () => http.stop(true) }
}

async function listedBytes(toolSearch: boolean, upstreams: { url: string }[]): Promise<number> {
  const proxy = new ProxMCP({
    upstreams: upstreams.map((upstream, i) => ({ id: `u${i + 1}`, url: upstream.url })),
    namespace: true,
    toolSearch,
    pageSize: 10_000,
  })
  await proxy.start()
  const app = proxy.getApp()
  const server = serveWithBun({ port: 0, hostname: '127.0.0.1', fetch: (request) => app.fetch(request) })
  const client = new Client({ name: 'report', version: '1.0.0' })
  await client.connect(new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${server.port}/mcp`)))
  const listed = await client.listTools()
  await client.close()
  await proxy.stop()
  await server.stop()
  return new TextEncoder().encode(JSON.stringify(listed)).byteLength
}

type Labelled = { query: string; expected: string[] }[]

function quality(index: ScopedSearch, labelled: Labelled) {
  let top1 = 0
  let top3 = 0
  const misses: string[] = []
  for (const { query, expected } of labelled) {
    const names = index.find(query, 3).map((tool) => tool.name as string)
    if (expected.includes(names[0] as string)) top1++
    if (names.some((name) => expected.includes(name))) top3++
    else misses.push(`"${query}" wanted ${expected.join(' or ')}, got ${names.join(', ')}`)
  }
  return { top1: top1 / labelled.length, top3: top3 / labelled.length, misses }
}

async function latency(count: number) {
  const builtAt = performance.now()
  const index = await new ToolIndex().scope(toolsUpTo(count))
  const buildMs = performance.now() - builtAt
  for (const { query } of queries) index.find(query, 5)
  const times: number[] = []
  for (let round = 0; round < 20; round++) {
    for (const { query } of queries) {
      const startedAt = performance.now()
      index.find(query, 5)
      times.push(performance.now() - startedAt)
    }
  }
  times.sort((a, b) => a - b)
  const at = (share: number) => times[Math.floor(share * (times.length - 1))] as number
  return { buildMs, p50: at(0.5), p99: at(0.99) }
}

const half = toolsUpTo(300)
const upstreams = [upstreamServing(half.slice(0, 150)), upstreamServing(half.slice(150))]
const full = await listedBytes(false, upstreams)
const searched = await listedBytes(true, upstreams)
for (const upstream of upstreams) upstream.stop()
const tokens = (bytes: number) => Math.round(bytes / 4)
const print = (line = '') => process.stdout.write(`${line}\n`)
print('## Tool search')
print()
print('| tools/list, 300 tools | bytes | ≈ tokens (bytes / 4) |')
print('| --- | --- | --- |')
print(`| every tool | ${full} | ${tokens(full)} |`)
print(`| tool search | ${searched} | ${tokens(searched)} |`)
print(`| smaller by | ${((1 - searched / full) * 100).toFixed(1)}% | |`)
print()
const percent = (share: number) => `${(share * 100).toFixed(0)}%`
const index = await new ToolIndex().scope(published)
for (const [name, labelled] of [
  ['tuning set', queries],
  ['held-out set', holdout],
] as const) {
  const { top1, top3, misses } = quality(index, labelled)
  print(
    `Ranking, ${name}: ${labelled.length} labelled queries over ${published.length} tools of ${catalog.length} published servers: top-1 ${percent(top1)}, top-3 ${percent(top3)}.`,
  )
  if (process.argv.includes('--misses')) for (const miss of misses) print(`- not in the top 3: ${miss}`)
  print()
}
print('| tools | index built in | search p50 | search p99 |')
print('| --- | --- | --- | --- |')
for (const count of [300, 3_000]) {
  const { buildMs, p50, p99 } = await latency(count)
  print(
    `| ${count} | ${buildMs.toFixed(1)} ms | ${(p50 * 1000).toFixed(0)} µs | ${(p99 * 1000).toFixed(0)} µs |`,
  )
}
