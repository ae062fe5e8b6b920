import { afterAll, beforeAll, expect, test } from 'bun:test'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type RunningFixture, serveV1Http } from '../fixtures/v1-server.ts'
import { connectClient } from '../helpers/clients.ts'
import { freePort, waitFor, waitForHealthz } from '../helpers/wait.ts'

let alpha: RunningFixture
let beta: RunningFixture
beforeAll(() => {
  alpha = serveV1Http({ name: 'alpha' })
  beta = serveV1Http({ name: 'beta' })
})
afterAll(() => Promise.all([alpha.close(), beta.close()]))

function configFile(upstreams: { id: string; url: string }[]): string {
  return `export default { upstreams: ${JSON.stringify(upstreams)} }\n`
}

async function startCli(dir: string) {
  const port = freePort()
  const child = Bun.spawn([process.execPath, join(process.cwd(), 'src/cli/bun.ts'), '--port', String(port)], {
    cwd: dir,
    stdout: 'pipe',
    stderr: 'pipe',
  })
  // Drained from the start: a full pipe would hold back the log lines the test reads.
  const output = Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text()]).then(
    (parts) => parts.join(''),
  )
  await waitForHealthz(port)
  return { child, output, url: `http://127.0.0.1:${port}/mcp` }
}

const toolNames = async (url: string) => {
  const client = await connectClient(url)
  const names = (await client.listTools()).tools.map((tool) => tool.name)
  await client.close()
  return names
}

test('editing the config file applies it, a broken edit is refused, and SIGHUP reloads too', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'proxmcp-reload-'))
  const path = join(dir, 'proxmcp.config.ts')
  writeFileSync(path, configFile([{ id: 'alpha', url: alpha.url }]))
  const { child, output: logs, url } = await startCli(dir)
  try {
    const client = await connectClient(url)
    writeFileSync(
      path,
      configFile([
        { id: 'alpha', url: alpha.url },
        { id: 'beta', url: beta.url },
      ]),
    )
    await waitFor(async () => (await toolNames(url)).includes('beta_only'), 'beta after the edit')
    // The session opened before the reload keeps working.
    expect((await client.callTool({ name: 'alpha_only', arguments: {} })).content).toEqual([
      { type: 'text', text: 'alpha' },
    ])

    writeFileSync(path, 'export default { upstreams: [{ id: "alpha", url: "nope" }] }\n')
    await Bun.sleep(600)
    expect(await toolNames(url)).toContain('beta_only')

    writeFileSync(path, configFile([{ id: 'beta', url: beta.url }]))
    await waitFor(
      async () => !(await toolNames(url)).includes('alpha_only'),
      'alpha gone after the third edit',
    )
    await client.close().catch(() => {})
    await Bun.sleep(300)
    child.kill('SIGHUP')
    await Bun.sleep(500)
    expect(await toolNames(url)).toContain('beta_only')
  } finally {
    child.kill('SIGTERM')
    expect(await child.exited).toBe(0)
  }
  const output = await logs
  expect(output).toContain('config reloaded: added beta; removed none; changed none')
  expect(output).toContain('config rejected, the running one stays')
  expect(output).toContain('upstreams[0].url: expected an http:// or https:// URL')
  expect(output).toContain('config reloaded: added none; removed alpha; changed none')
  // SIGHUP re-reads the unchanged file: nothing to add, remove or change.
  expect(output).toContain('config reloaded: added none; removed none; changed none')
})

test('SIGTERM lets a call in flight finish, then exits 0', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'proxmcp-term-'))
  writeFileSync(join(dir, 'proxmcp.config.ts'), configFile([{ id: 'alpha', url: alpha.url }]))
  const { child, url } = await startCli(dir)
  const client = await connectClient(url)
  const call = client.callTool({ name: 'wait', arguments: { ms: 700 } })
  await Bun.sleep(200)
  child.kill('SIGTERM')
  expect((await call).content).toEqual([{ type: 'text', text: 'waited' }])
  expect(await child.exited).toBe(0)
  await client.close().catch(() => {})
})
