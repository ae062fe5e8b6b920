import { expect } from 'bun:test'
import { resolve } from 'node:path'
import { serveFilesystem } from '../fixtures/filesystem-server.ts'
import { serveV1Http } from '../fixtures/v1-server.ts'
import { connectClient } from './clients.ts'
import { EVERYTHING } from './everything.ts'
import { freePort, waitFor, waitForHealthz } from './wait.ts'

/** The folder holding the product description's config file, verbatim. */
export const SPEC_CONFIG_DIR = resolve(import.meta.dir, '../fixtures/spec-config')
export const SPEC_API_KEY = 'sk-spec-test-0123456789'

/** The three upstreams the spec's config names, on its ports: 3001, 3002 and 3003 (legacy SSE). */
export async function startSpecUpstreams(): Promise<() => Promise<void>> {
  const filesystem = serveFilesystem(3001)
  const github = serveV1Http({ name: 'github', port: 3002 })
  const legacy = Bun.spawn(['node', EVERYTHING, 'sse'], {
    env: { ...process.env, PORT: '3003' },
    stdout: 'ignore',
    stderr: 'ignore',
  })
  await waitFor(
    () =>
      fetch('http://127.0.0.1:3003/', { signal: AbortSignal.timeout(500) }).then(
        () => true,
        () => false,
      ),
    'the legacy SSE upstream on 3003',
  )
  return async () => {
    legacy.kill()
    await Promise.all([filesystem.stop(), github.close(), legacy.exited])
  }
}

/** What the spec's config promises, checked through a running proxy. */
export async function expectSpecBehaviour(url: string): Promise<void> {
  const refused = await connectClient(url).catch((error) => error)
  expect(String(refused)).toMatch(/401|Unauthorized/i)

  const client = await connectClient(url, { headers: { authorization: `Bearer ${SPEC_API_KEY}` } })
  const tools = await waitFor(async () => {
    const listed = (await client.listTools()).tools
    const names = listed.map((tool) => tool.name)
    const all = ['get_file', 'github_only', 'get-sum'].every((name) => names.includes(name))
    return all ? listed : undefined
  }, 'the tools of all three upstreams')
  const names = tools.map((tool) => tool.name)
  expect(names).not.toContain('read_file')
  expect(names).not.toContain('delete_file')
  expect(tools.find((tool) => tool.name === 'list_dir')?.description).toBe('Lists a directory.')
  expect((await client.callTool({ name: 'get_file', arguments: { path: '/etc/motd' } })).content).toEqual([
    { type: 'text', text: 'contents of /etc/motd' },
  ])
  const denied = await client
    .callTool({ name: 'delete_file', arguments: { path: '/' } })
    .catch((error) => error)
  expect(denied.message).toContain('Unknown tool: delete_file')
  expect(
    JSON.stringify((await client.callTool({ name: 'get-sum', arguments: { a: 1, b: 2 } })).content),
  ).toContain('3')
  await client.close()
}

/** Runs a ProxMCP command line in the spec config's folder and checks what the config promises. */
export async function runSpecConfig(command: string[]): Promise<void> {
  const port = freePort()
  const child = Bun.spawn([...command, '--port', String(port)], {
    cwd: SPEC_CONFIG_DIR,
    env: { ...process.env, PROXMCP_API_KEY: SPEC_API_KEY },
    stdout: 'ignore',
    stderr: 'ignore',
  })
  try {
    await waitForHealthz(port)
    await expectSpecBehaviour(`http://127.0.0.1:${port}/mcp`)
  } finally {
    child.kill('SIGTERM')
    await child.exited
  }
}
