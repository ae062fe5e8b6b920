import { expect, test } from 'bun:test'
import { type RunningFixture, serveV1Http } from '../fixtures/v1-server.ts'
import { connectClient } from '../helpers/clients.ts'
import { freePort, waitForHealthz } from '../helpers/wait.ts'

async function runCli(command: string[], alpha: RunningFixture) {
  const port = freePort()
  const child = Bun.spawn([...command, '--port', String(port), '--upstream', alpha.url], {
    stdout: 'pipe',
    stderr: 'pipe',
  })
  const url = `http://127.0.0.1:${port}/mcp`
  try {
    await waitForHealthz(port)
    const client = await connectClient(url)
    const result = await client.callTool({ name: 'alpha_only', arguments: {} })
    await client.close()
    return result
  } finally {
    child.kill('SIGTERM')
    expect(await child.exited).toBe(0)
  }
}

test.each([
  ['node runs the built npm entry (dist/cli.js)', ['node', 'dist/cli.js']],
  ['bun runs the source entry', [process.execPath, 'src/cli/bun.ts']],
])('%s and serves a call, then exits 0 on SIGTERM', async (_name, command) => {
  const alpha = serveV1Http({ name: 'alpha' })
  try {
    expect((await runCli(command, alpha)).content).toEqual([{ type: 'text', text: 'alpha' }])
  } finally {
    await alpha.close()
  }
})

test.each([
  [['--bogus'], "Unknown option '--bogus'"],
  [[], 'no upstreams'],
])('invalid command line %p prints one line and exits 2', async (argv, message) => {
  const child = Bun.spawn(['node', 'dist/cli.js', ...argv], { stdout: 'pipe', stderr: 'pipe' })
  expect(await child.exited).toBe(2)
  const stderr = await new Response(child.stderr).text()
  expect(stderr).toContain(message)
  expect(stderr.trim().split('\n')).toHaveLength(1)
})

test.each([
  ['node', 'dist/cli.js'],
  [process.execPath, 'src/cli/bun.ts'],
] as [string, string][])(
  '%s %s: a port in use prints one line that says so and exits 1, with no upstream started',
  async (runner, entry) => {
    const holder = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: () => new Response('taken') })
    const marker = `${import.meta.dir}/../fixtures/stdio-started-${process.pid}`
    try {
      const argv = ['--port', String(holder.port), '--stdio', `touch ${marker}`]
      const child = Bun.spawn([runner, entry, ...argv], { stdout: 'pipe', stderr: 'pipe' })
      expect(await child.exited).toBe(1)
      const stderr = await new Response(child.stderr).text()
      expect(stderr.trim()).toBe(
        `proxmcp: cannot listen on 127.0.0.1:${holder.port}: the port is in use (another ProxMCP?); stop what holds it or choose another with --port`,
      )
      expect(await Bun.file(marker).exists()).toBe(false)
    } finally {
      holder.stop(true)
    }
  },
)

test('--upstream id=URL with --server name=id serves a virtual server at /mcp/<name>', async () => {
  const alpha = serveV1Http({ name: 'alpha' })
  const port = freePort()
  const argv = ['--port', String(port), '--upstream', `files=${alpha.url}`, '--server', 'coding=files']
  const child = Bun.spawn([process.execPath, 'src/cli/bun.ts', ...argv], { stdout: 'pipe', stderr: 'pipe' })
  try {
    await waitForHealthz(port)
    const client = await connectClient(`http://127.0.0.1:${port}/mcp/coding`)
    expect(client.getServerVersion()?.name).toBe('coding')
    expect((await client.callTool({ name: 'alpha_only', arguments: {} })).content).toEqual([
      { type: 'text', text: 'alpha' },
    ])
    await client.close()
  } finally {
    child.kill('SIGTERM')
    expect(await child.exited).toBe(0)
    await alpha.close()
  }
})

test('--version prints the package version', async () => {
  const child = Bun.spawn(['node', 'dist/cli.js', '--version'], { stdout: 'pipe' })
  const { version } = await Bun.file('package.json').json()
  expect((await new Response(child.stdout).text()).trim()).toBe(version)
})
