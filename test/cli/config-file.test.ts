import { afterAll, beforeAll, expect, test } from 'bun:test'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type RunningFixture, serveV1Http } from '../fixtures/v1-server.ts'
import { connectClient } from '../helpers/clients.ts'
import { freePort, waitForHealthz } from '../helpers/wait.ts'

const ENTRIES = {
  bun: [process.execPath, join(process.cwd(), 'src/cli/bun.ts')],
  node: ['node', join(process.cwd(), 'dist/cli.js')],
}

let alpha: RunningFixture
beforeAll(() => {
  alpha = serveV1Http({ name: 'alpha' })
})
afterAll(() => alpha.close())

function configDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'proxmcp-config-'))
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text)
  return dir
}

async function run(entry: string[], args: string[], cwd: string) {
  const child = Bun.spawn([...entry, ...args], { cwd, stdout: 'pipe', stderr: 'pipe' })
  const code = await child.exited
  return { code, stderr: await new Response(child.stderr).text() }
}

test.each(Object.entries(ENTRIES))(
  'a TypeScript config importing @proxmcp/core is found in the current directory (%s), and flags override it',
  async (_runtime, entry) => {
    const port = freePort()
    const dir = configDir({
      'proxmcp.config.ts': `import { defineConfig } from '@proxmcp/core'
import type { ProxMCPPlugin } from '@proxmcp/core'
const tagged: ProxMCPPlugin = { name: 'tag', filterTools: (tools) => tools.filter((tool) => tool.name !== 'fail') }
export default defineConfig({
  port: 1,
  upstreams: [{ id: 'alpha', url: '${alpha.url}' }],
  plugins: [tagged],
})
`,
    })
    const child = Bun.spawn([...entry, '--port', String(port)], { cwd: dir, stdout: 'pipe', stderr: 'pipe' })
    try {
      await waitForHealthz(port)
      const client = await connectClient(`http://127.0.0.1:${port}/mcp`)
      const names = (await client.listTools()).tools.map((tool) => tool.name)
      expect(names).toContain('alpha_only')
      expect(names).not.toContain('fail')
      await client.close()
    } finally {
      child.kill('SIGTERM')
      await child.exited
    }
  },
)

const BROKEN: [string, unknown, string[]][] = [
  [
    'a bad URL and a missing command',
    {
      upstreams: [
        { id: 'a', url: 'http://x/mcp' },
        { id: 'b', url: 'not a url' },
        { id: 'c', transport: 'stdio' },
      ],
    },
    [
      'upstreams[1].url: expected an http:// or https:// URL',
      'upstreams[2].command: a stdio upstream needs "command"',
    ],
  ],
  ['a port out of range', { port: 70000, upstreams: [{ id: 'a', url: 'http://x/mcp' }] }, ['port:']],
  [
    'duplicate ids',
    {
      upstreams: [
        { id: 'a', url: 'http://x/mcp' },
        { id: 'a', url: 'http://y/mcp' },
      ],
    },
    ['upstream ids must be unique'],
  ],
  [
    'an unknown transport',
    { upstreams: [{ id: 'a', url: 'http://x/mcp', transport: 'carrier-pigeon' }] },
    ['upstreams[0].transport: expected "streamable-http", "sse" or "stdio"'],
  ],
  ['no upstreams', { port: 3000 }, ['no upstreams: pass --upstream URL']],
  [
    'virtual servers that name unknown upstreams or bad names',
    {
      upstreams: [{ id: 'a', url: 'http://x/mcp' }],
      servers: { ok: { upstreams: ['a', 'ghost'] }, 'Bad Name': { upstreams: ['a'] } },
      default: 'missing',
    },
    [
      "servers.ok.upstreams: no upstream has the id 'ghost'",
      'expected lowercase letters, digits, "_" or "-" (a path segment)',
      "default: no server is named 'missing'",
    ],
  ],
]

test.each(BROKEN)(
  'a config with %s exits 2 listing every problem by path',
  async (_name, config, problems) => {
    const dir = configDir({ 'proxmcp.config.json': JSON.stringify(config) })
    const { code, stderr } = await run(ENTRIES.node, [], dir)
    expect(code).toBe(2)
    for (const problem of problems) expect(stderr).toContain(problem)
  },
)

test('a config module that fails to load exits 2 with one line naming the file', async () => {
  const dir = configDir({ 'broken.config.ts': 'export default {{ nope' })
  const { code, stderr } = await run(ENTRIES.bun, ['--config', 'broken.config.ts'], dir)
  expect(code).toBe(2)
  expect(stderr).toContain('broken.config.ts could not be loaded')
  expect(stderr.trim().split('\n')).toHaveLength(1)
})

test('--config naming a missing file exits 2', async () => {
  const { code, stderr } = await run(ENTRIES.node, ['--config', 'nowhere.ts'], configDir({}))
  expect(code).toBe(2)
  expect(stderr).toContain('--config nowhere.ts: no such file')
})

test('--upstream id=URL whose id the config file has already exits 2 instead of renaming it', async () => {
  const dir = configDir({
    'proxmcp.config.json': JSON.stringify({ upstreams: [{ id: 'files', url: alpha.url }] }),
  })
  const { code, stderr } = await run(ENTRIES.bun, ['--upstream', `files=${alpha.url}`], dir)
  expect(code).toBe(2)
  expect(stderr.trim()).toBe("proxmcp: --upstream files=…: the config file has an upstream 'files' already")
})
