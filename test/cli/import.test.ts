// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are the ${…} references MCP client files hold
import { afterAll, expect, test } from 'bun:test'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { importMcpServers } from '../../src/config/import-mcp-servers.ts'
import { ConfigError } from '../../src/config/resolve.ts'
import { startCliProxy } from '../faults/cli-proxy.ts'
import { connectClient } from '../helpers/clients.ts'
import { stdioFixture } from '../helpers/stdio-fixture.ts'

const CLIENTS_DIR = resolve(import.meta.dir, '../fixtures/mcp-clients')
const CLI = resolve(import.meta.dir, '../../src/cli/bun.ts')
const scratch = mkdtempSync(join(tmpdir(), 'proxmcp-import-'))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

async function issuesOf(run: Promise<unknown>): Promise<string[]> {
  const error = await run.then(
    () => undefined,
    (thrown) => thrown,
  )
  expect(error).toBeInstanceOf(ConfigError)
  return (error as ConfigError).issues
}

test("Claude Desktop's file: its servers, the app's own settings ignored", async () => {
  const path = join(CLIENTS_DIR, 'claude_desktop_config.json')
  expect(await importMcpServers(path, { env: { BRAVE_API_KEY: 'brave-key' } })).toEqual([
    {
      id: 'filesystem',
      command: [
        'npx',
        '-y',
        '@modelcontextprotocol/server-filesystem',
        '/Users/me/Desktop',
        '/Users/me/Downloads',
      ],
    },
    {
      id: 'github',
      command: ['npx', '-y', '@modelcontextprotocol/server-github'],
      env: { GITHUB_PERSONAL_ACCESS_TOKEN: 'ghp_exampleexampleexample' },
    },
    {
      id: 'Brave-Search',
      command: ['npx', '-y', '@modelcontextprotocol/server-brave-search'],
      env: { BRAVE_API_KEY: 'brave-key' },
    },
  ])
})

test("Cursor's project file: the workspace is the folder above .cursor, disabled servers are left out", async () => {
  const warnings: string[] = []
  const upstreams = await importMcpServers(join(CLIENTS_DIR, '.cursor', 'mcp.json'), {
    env: { INTERNAL_TOKEN: 'secret' },
    home: '/home/me',
    warn: (message) => warnings.push(message),
  })
  expect(upstreams).toEqual([
    { id: 'linear', url: 'https://mcp.linear.app/sse' },
    {
      id: 'internal-api',
      url: 'https://mcp.internal.example/mcp',
      headers: { Authorization: 'Bearer secret' },
    },
    {
      id: 'notes',
      command: ['node', `${CLIENTS_DIR}/tools/notes-server.js`],
      env: { NOTES_DIR: '/home/me/notes' },
    },
  ])
  expect(warnings).toEqual([
    `${join(CLIENTS_DIR, '.cursor', 'mcp.json')}: mcpServers.notes.autoApprove is not used by ProxMCP`,
  ])
})

test("VS Code's file is JSON with comments and trailing commas, under servers", async () => {
  const upstreams = await importMcpServers(join(CLIENTS_DIR, '.vscode', 'mcp.json'), {
    env: { CONTEXT7_API_KEY: 'c7' },
  })
  expect(upstreams).toEqual([
    { id: 'playwright', command: ['npx', '-y', '@playwright/mcp@latest'] },
    {
      id: 'context7',
      transport: 'streamable-http',
      url: 'https://mcp.context7.com/mcp',
      headers: { CONTEXT7_API_KEY: 'c7' },
    },
    { id: 'legacy-events', transport: 'sse', url: 'http://localhost:8931/events' },
  ])
})

test("Windsurf's serverUrl and Claude Code's ${VAR:-default}", async () => {
  expect(await importMcpServers(join(CLIENTS_DIR, 'windsurf_mcp_config.json'))).toEqual([
    { id: 'figma', url: 'http://127.0.0.1:3845/mcp' },
    { id: 'puppeteer', command: ['npx', '-y', '@modelcontextprotocol/server-puppeteer'] },
  ])
  const claudeCode = join(CLIENTS_DIR, 'claude_code.mcp.json')
  expect(await importMcpServers(claudeCode, { env: { DATABASE_URL: 'postgres://db/app' } })).toEqual([
    {
      id: 'sentry',
      transport: 'streamable-http',
      url: 'https://mcp.sentry.dev/mcp',
      headers: { Authorization: 'Bearer none' },
    },
    {
      id: 'local-db',
      command: ['npx', '-y', '@example/db-mcp', '--url', 'postgres://db/app'],
      env: {},
    },
  ])
  expect(await issuesOf(importMcpServers(claudeCode, { env: {} }))).toEqual([
    `${claudeCode}: mcpServers.local-db.args[3]: \${DATABASE_URL} names a variable that is not set`,
  ])
})

test('a file that cannot be read or parsed is named, with the line', async () => {
  const missing = join(scratch, 'nope.json')
  expect(await issuesOf(importMcpServers(missing))).toEqual([`${missing}: cannot be read (ENOENT)`])
  const broken = join(scratch, 'broken.json')
  writeFileSync(broken, '{\n  "mcpServers": {\n    "a": { "command": "x" \n  }\n')
  const [issue] = await issuesOf(importMcpServers(broken))
  expect(issue).toStartWith(`${broken}:5: not valid JSON`)
})

test('--import serves the same tools as the equivalent --stdio flags', async () => {
  const [bun, fixture, ...args] = stdioFixture('imported')
  const file = join(scratch, 'claude_desktop_config.json')
  writeFileSync(
    file,
    JSON.stringify({ mcpServers: { imported: { command: bun, args: [fixture, ...args] } } }),
  )
  const viaImport = await startCliProxy(['--import', file])
  const viaFlags = await startCliProxy(['--stdio', stdioFixture('imported').join(' ')])
  try {
    const [imported, flagged] = await Promise.all(
      [viaImport, viaFlags].map(async (proxy) => {
        const client = await connectClient(proxy.url)
        const names = (await client.listTools()).tools.map((tool) => tool.name).sort()
        const answer = await client.callTool({ name: 'imported_only', arguments: {} })
        await client.close()
        return { names, answer: answer.content }
      }),
    )
    expect(imported).toEqual(flagged as typeof imported)
    expect(imported?.answer).toEqual([{ type: 'text', text: 'imported' }])
  } finally {
    viaImport.kill()
    viaFlags.kill()
  }
})

test('--import of a file with a problem exits 2 with one line naming it', async () => {
  const file = join(scratch, 'bad.json')
  writeFileSync(file, JSON.stringify({ mcpServers: { a: { command: ['npx'] } } }))
  const child = Bun.spawn([process.execPath, CLI, '--import', file], { stdout: 'pipe', stderr: 'pipe' })
  expect(await child.exited).toBe(2)
  const stderr = (await new Response(child.stderr).text()).trim()
  expect(stderr).toBe(`proxmcp: invalid configuration:\n  ${file}: mcpServers.a.command: expected a string`)
})

test('init --from writes a config that serves the file, and never overwrites without --force', async () => {
  const folder = mkdtempSync(join(scratch, 'init-'))
  const [bun, fixture, ...args] = stdioFixture('started')
  writeFileSync(
    join(folder, 'mcp.json'),
    JSON.stringify({ mcpServers: { started: { command: bun, args: [fixture, ...args] } } }),
  )
  const init = (...extra: string[]) =>
    Bun.spawnSync([process.execPath, CLI, 'init', '--from', 'mcp.json', ...extra], { cwd: folder })
  const first = init()
  expect(first.exitCode).toBe(0)
  expect(first.stdout.toString()).toContain('with the 1 server(s) of')
  const written = readFileSync(join(folder, 'proxmcp.config.ts'), 'utf8')
  expect(written).toContain(`await importMcpServers(${JSON.stringify(join(folder, 'mcp.json'))})`)

  const again = init()
  expect(again.exitCode).toBe(2)
  expect(again.stderr.toString()).toContain('exists: pass --force to replace it')
  expect(init('--force').exitCode).toBe(0)

  const proxy = await startCliProxy(['--config', join(folder, 'proxmcp.config.ts')])
  try {
    const client = await connectClient(proxy.url)
    expect((await client.callTool({ name: 'started_only', arguments: {} })).content).toEqual([
      { type: 'text', text: 'started' },
    ])
    await client.close()
  } finally {
    proxy.kill()
  }
})

test('client-config prints the entry for each client, with the key when one is set', () => {
  const run = (...args: string[]) =>
    Bun.spawnSync([process.execPath, CLI, 'client-config', ...args], {
      env: { ...process.env, PROXMCP_API_KEY: '' },
    })
  const cursor = run('cursor', '--url', 'http://127.0.0.1:4000/mcp', '--api-key', 'k1')
  expect(JSON.parse(cursor.stdout.toString())).toEqual({
    mcpServers: { proxmcp: { url: 'http://127.0.0.1:4000/mcp', headers: { Authorization: 'Bearer k1' } } },
  })
  expect(cursor.stderr.toString()).toContain('.cursor/mcp.json')
  expect(JSON.parse(run('vscode').stdout.toString())).toEqual({
    servers: { proxmcp: { type: 'http', url: 'http://127.0.0.1:3000/mcp' } },
  })
  expect(JSON.parse(run('claude', '--api-key', 'k2').stdout.toString())).toEqual({
    mcpServers: {
      proxmcp: {
        command: 'npx',
        args: ['-y', 'mcp-remote', 'http://127.0.0.1:3000/mcp', '--header', 'Authorization:${PROXMCP_AUTH}'],
        env: { PROXMCP_AUTH: 'Bearer k2' },
      },
    },
  })
  const unknown = run('emacs')
  expect(unknown.exitCode).toBe(2)
  expect(unknown.stderr.toString().trim()).toBe(
    'proxmcp: client-config: expected one of claude, cursor, vscode, windsurf, claude-code',
  )
})
