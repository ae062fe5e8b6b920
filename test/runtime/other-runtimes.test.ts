import { afterAll, beforeAll, expect, test } from 'bun:test'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Miniflare } from 'miniflare'
import { type RunningFixture, serveV1Http } from '../fixtures/v1-server.ts'
import { type ClientEra, connectClient } from '../helpers/clients.ts'
import { freePort, waitForHealthz } from '../helpers/wait.ts'

let upstream: RunningFixture
beforeAll(() => {
  upstream = serveV1Http({ name: 'alpha' })
})
afterAll(() => upstream.close())

/** Bundles a runtime entry the way a user's bundler would (Web platform, no Node or Bun APIs). */
async function bundle(entry: string, conditions: string[], define: Record<string, string>): Promise<string> {
  const built = await Bun.build({
    entrypoints: [entry],
    target: 'browser',
    format: 'esm',
    conditions,
    // The Redis store is for servers; a serverless bundle leaves it out.
    external: ['redis'],
    define,
  })
  if (!built.success) throw new AggregateError(built.logs, 'bundle failed')
  return (built.outputs[0] as Blob).text()
}

async function listAndCall(url: string, era: ClientEra) {
  const client = await connectClient(url, { era })
  const tools = (await client.listTools()).tools.map((tool) => tool.name)
  const result = await client.callTool({ name: 'alpha_only', arguments: {} })
  await client.close()
  return { tools, content: result.content }
}

test.each(['legacy', 'modern'] as ClientEra[])(
  'the README Worker runs in workerd and serves initialize and a tool call to an HTTP upstream (%s era)',
  async (era) => {
    const script = await bundle('test/fixtures/runtimes/worker.ts', ['workerd', 'worker', 'browser'], {
      UPSTREAM_URL: JSON.stringify(upstream.url),
    })
    const worker = new Miniflare({
      modules: true,
      script,
      compatibilityDate: '2026-07-01',
      host: '127.0.0.1',
      port: 0,
    })
    try {
      const url = new URL('/mcp', await worker.ready).href
      const { tools, content } = await listAndCall(url, era)
      expect(tools).toContain('alpha_only')
      expect(content).toEqual([{ type: 'text', text: 'alpha' }])
    } finally {
      await worker.dispose()
    }
  },
  60_000,
)

test('the same app runs under Deno', async () => {
  const port = freePort()
  const script = await bundle('test/fixtures/runtimes/deno-server.ts', ['deno', 'browser'], {
    UPSTREAM_URL: JSON.stringify(upstream.url),
    PORT: String(port),
  })
  const dir = mkdtempSync(join(tmpdir(), 'proxmcp-deno-'))
  writeFileSync(join(dir, 'server.js'), script)
  const deno = Bun.spawn(
    ['node_modules/.bin/deno', 'run', '--allow-net', '--allow-env', join(dir, 'server.js')],
    {
      stdout: 'ignore',
      stderr: 'pipe',
      env: { ...process.env, DENO_DIR: join(dir, 'deno-cache'), NO_COLOR: '1' },
    },
  )
  try {
    await waitForHealthz(port, 30_000)
    for (const era of ['legacy', 'modern'] as ClientEra[]) {
      const { content } = await listAndCall(`http://127.0.0.1:${port}/mcp`, era)
      expect(content).toEqual([{ type: 'text', text: 'alpha' }])
    }
  } finally {
    deno.kill()
    await deno.exited
  }
}, 60_000)
