import { expect, test } from 'bun:test'
import { cliPlugins } from '../../src/cli/cli-plugins.ts'
import { loggerPlugin } from '../../src/index.ts'
import { serveV1Http } from '../fixtures/v1-server.ts'
import { connectClient } from '../helpers/clients.ts'
import { postRpc } from '../helpers/mcp-http.ts'
import { freePort, waitForHealthz } from '../helpers/wait.ts'

test('flags add the IP rate limit, then API keys, then request logging', () => {
  const names = (plugins: { name: string }[]) => plugins.map((plugin) => plugin.name)
  expect(names(cliPlugins({ apiKeys: ['k'], rateLimit: 60 }, 'json', []))).toEqual([
    'rate-limit',
    'auth',
    'logger',
  ])
  expect(names(cliPlugins({ apiKeys: [] }, 'pretty', []))).toEqual(['logger'])
  expect(names(cliPlugins({ apiKeys: [] }, 'pretty', [loggerPlugin({})]))).toEqual([])
})

test('the CLI with --api-key, --rate-limit and --log-format json guards, limits and logs, never the key', async () => {
  const alpha = serveV1Http({ name: 'alpha' })
  const port = freePort()
  const key = 'sk-cli-0123456789abcdef'
  const flags = [
    '--port',
    String(port),
    '--upstream',
    alpha.url,
    '--log-format',
    'json',
    '--rate-limit',
    '20',
  ]
  const child = Bun.spawn([process.execPath, 'src/cli/bun.ts', ...flags], {
    stdout: 'pipe',
    stderr: 'pipe',
    env: { ...process.env, PROXMCP_API_KEY: key },
  })
  // Drained as it comes, so the request log can never fill the pipe and block the CLI.
  const output = Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text()])
  const url = `http://127.0.0.1:${port}/mcp`
  try {
    await waitForHealthz(port)
    expect((await postRpc(url)).status).toBe(401)
    const client = await connectClient(url, { headers: { authorization: `Bearer ${key}` } })
    expect((await client.callTool({ name: 'alpha_only', arguments: {} })).content).toEqual([
      { type: 'text', text: 'alpha' },
    ])
    await client.close()
    let status = 0
    for (let request = 0; request < 25 && status !== 429; request++) status = (await postRpc(url)).status
    expect(status).toBe(429)
  } finally {
    child.kill('SIGTERM')
    await child.exited
    await alpha.close()
  }
  const [stdout, stderr] = await output
  const requests = stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line))
  expect(requests).toContainEqual(expect.objectContaining({ status: 401, http: 'POST /mcp' }))
  expect(requests).toContainEqual(
    expect.objectContaining({ method: 'tools/call', name: 'alpha_only', identity: 'key-1' }),
  )
  expect(`${stdout}${stderr}`).not.toContain(key)
})
