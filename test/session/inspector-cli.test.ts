import { afterAll, beforeAll, expect, test } from 'bun:test'
import { type RunningFixture, serveV1Http } from '../fixtures/v1-server.ts'
import { serveV2Http } from '../fixtures/v2-server.ts'
import { startProxy, type TestProxy } from '../helpers/start-proxy.ts'

let legacyUpstream: RunningFixture
let dualUpstream: RunningFixture
let proxy: TestProxy
let searching: TestProxy
beforeAll(async () => {
  legacyUpstream = serveV1Http({ name: 'one' })
  dualUpstream = serveV2Http({ name: 'two' })
  proxy = await startProxy({
    upstreams: [
      { id: 'one', url: legacyUpstream.url },
      { id: 'two', url: dualUpstream.url },
    ],
    namespace: true,
    servers: { solo: { upstreams: ['two'], instructions: 'Only two.' } },
  })
  searching = await startProxy({
    upstreams: [
      { id: 'one', url: legacyUpstream.url },
      { id: 'two', url: dualUpstream.url },
    ],
    namespace: true,
    toolSearch: true,
  })
})
afterAll(async () => {
  await Promise.all([proxy.stop(), searching.stop()])
  await Promise.all([legacyUpstream.close(), dualUpstream.close()])
})

/** Runs the MCP Inspector's CLI (a real client built on the v2 SDK) against the proxy. */
async function inspector(args: string[], url = proxy.url): Promise<unknown> {
  const child = Bun.spawn(['node', 'node_modules/.bin/inspector', '--cli', url, ...args], {
    stdout: 'pipe',
    stderr: 'pipe',
  })
  const [stdout, stderr] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
  ])
  if ((await child.exited) !== 0) throw new Error(`inspector ${args.join(' ')} failed:\n${stdout}\n${stderr}`)
  return JSON.parse(stdout)
}

test.each(['modern', 'auto', 'legacy'])(
  'the Inspector CLI lists and calls tools through the proxy (--protocol-era %s)',
  async (era) => {
    const listed = (await inspector(['--protocol-era', era, '--method', 'tools/list'])) as {
      tools: { name: string }[]
    }
    const names = listed.tools.map((tool) => tool.name)
    expect(names).toContain('one__echo')
    expect(names).toContain('two__echo')
    for (const upstream of ['one', 'two']) {
      const result = (await inspector([
        '--protocol-era',
        era,
        '--method',
        'tools/call',
        '--tool-name',
        `${upstream}__echo`,
        '--tool-arg',
        'text=inspected',
      ])) as { structuredContent?: unknown }
      expect(result.structuredContent).toEqual({ text: 'inspected', server: upstream })
    }
  },
  60_000,
)

test.each(['modern', 'legacy'])(
  'with tool search on, the Inspector CLI lists the meta-tools, searches, and calls through call_tool (--protocol-era %s)',
  async (era) => {
    const run = (args: string[]) => inspector(['--protocol-era', era, ...args], searching.url)
    const listed = (await run(['--method', 'tools/list'])) as { tools: { name: string }[] }
    expect(listed.tools.map((tool) => tool.name)).toEqual(['search_tools', 'call_tool'])
    const found = (await run([
      '--method',
      'tools/call',
      '--tool-name',
      'search_tools',
      '--tool-arg',
      'query=echo',
    ])) as {
      structuredContent: { tools: { name: string }[] }
    }
    expect(found.structuredContent.tools.map((tool) => tool.name)).toContain('two__echo')
    const result = (await run([
      '--method',
      'tools/call',
      '--tool-name',
      'call_tool',
      '--tool-arg',
      'name=two__echo',
      '--tool-arg',
      'arguments={"text":"searched"}',
    ])) as { structuredContent?: unknown }
    expect(result.structuredContent).toEqual({ text: 'searched', server: 'two' })
  },
  60_000,
)

test('the Inspector CLI lists and calls the tools of a virtual server at /mcp/<name>', async () => {
  const url = proxy.url.replace(/\/mcp$/, '/mcp/solo')
  // The Inspector guesses the transport from a path ending in /mcp; this one is named.
  const listed = (await inspector(['--transport', 'http', '--method', 'tools/list'], url)) as {
    tools: { name: string }[]
  }
  const names = listed.tools.map((tool) => tool.name)
  expect(names).toContain('two__echo')
  expect(names.some((name) => name.startsWith('one__'))).toBe(false)
  const result = (await inspector(
    [
      '--transport',
      'http',
      '--method',
      'tools/call',
      '--tool-name',
      'two__echo',
      '--tool-arg',
      'text=virtual',
    ],
    url,
  )) as { structuredContent?: unknown }
  expect(result.structuredContent).toEqual({ text: 'virtual', server: 'two' })
}, 60_000)
