import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { authPlugin, rateLimitPlugin } from '../../src/index.ts'
import { startCliProxy } from '../faults/cli-proxy.ts'
import { type RunningFixture, serveV1Http } from '../fixtures/v1-server.ts'
import { connectClient } from '../helpers/clients.ts'
import { startProxy, type TestProxy } from '../helpers/start-proxy.ts'
import { waitFor } from '../helpers/wait.ts'

const KEY = 'audit-test-key-0123456789'
const folder = mkdtempSync(join(tmpdir(), 'proxmcp-audit-'))
afterAll(() => rmSync(folder, { recursive: true, force: true }))

type Line = Record<string, unknown> & { event: string; time: string }

function lines(file: string): Line[] {
  if (!existsSync(file)) return []
  return readFileSync(file, 'utf8')
    .trimEnd()
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line))
}

describe('an audit file', () => {
  const file = join(folder, 'audit.log')
  let alpha: RunningFixture
  let beta: RunningFixture
  let proxy: TestProxy
  beforeAll(async () => {
    alpha = serveV1Http({ name: 'alpha' })
    beta = serveV1Http({ name: 'beta' })
    proxy = await startProxy({
      upstreams: [{ id: 'alpha', url: alpha.url }],
      audit: { file },
      plugins: [
        authPlugin({ mode: 'apikey', keys: { ann: KEY }, access: { ann: ['echo', 'fail'] } }),
        rateLimitPlugin({ limit: 13, windowMs: 60_000 }),
      ],
    })
  })
  afterAll(async () => {
    await proxy.stop()
    await Promise.all([alpha.close(), beta.close()])
  })

  test('holds a line for each call, read and get, and for each refusal, reload and upstream change', async () => {
    const client = await connectClient(proxy.url, { headers: { authorization: `Bearer ${KEY}` } })
    await client.callTool({ name: 'echo', arguments: { text: 'secret plans' } })
    await client.callTool({ name: 'fail', arguments: {} })
    await expect(client.callTool({ name: 'alpha_only', arguments: {} })).rejects.toThrow(
      'Unknown tool: alpha_only',
    )
    await client.readResource({ uri: 'fixture://alpha/info' })
    await client.getPrompt({ name: 'greet', arguments: { who: 'Ada' } })
    const anonymous = await fetch(proxy.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }),
    })
    expect(anonymous.status).toBe(401)
    const foreign = await fetch(proxy.url, { method: 'POST', headers: { host: 'evil.example' } })
    expect(foreign.status).toBe(403)
    for (let attempt = 0; attempt < 12; attempt++) await client.listTools().catch(() => {})
    await proxy.proxy.reload({
      upstreams: [{ id: 'beta', url: beta.url }],
      audit: { file },
      plugins: [authPlugin({ mode: 'apikey', keys: { ann: KEY } })],
    })
    await client.close().catch(() => {})
    const written = await waitFor(() => {
      const found = lines(file)
      return found.some((line) => line.event === 'upstream_removed') ? found : undefined
    }, 'the reload lines')

    const calls = written.filter((line) => line.event === 'call')
    const echo = calls.find((line) => line.name === 'echo')
    expect(echo).toMatchObject({
      method: 'tools/call',
      upstream: 'alpha',
      identity: 'ann',
      outcome: 'ok',
      client: '127.0.0.1',
    })
    expect(echo?.argumentsSha256).toMatch(/^[0-9a-f]{64}$/)
    expect(JSON.stringify(written)).not.toContain('secret plans')
    expect(typeof echo?.session).toBe('string')
    expect(typeof echo?.durationMs).toBe('number')
    expect(calls.find((line) => line.name === 'fail')?.outcome).toBe('ok')
    expect(calls.find((line) => line.uri === 'fixture://alpha/info')).toMatchObject({
      method: 'resources/read',
    })
    expect(calls.find((line) => line.name === 'greet')).toMatchObject({ method: 'prompts/get' })
    expect(written.find((line) => line.event === 'auth_failure')).toMatchObject({ status: 401 })
    expect(written.find((line) => line.event === 'access_refused' && line.host)).toMatchObject({
      host: 'evil.example',
    })
    expect(written.find((line) => line.event === 'access_refused' && line.name)).toMatchObject({
      name: 'alpha_only',
      method: 'tools/call',
      identity: 'ann',
      reason: 'tool not visible to this client',
    })
    expect(written.find((line) => line.event === 'rate_limited')).toMatchObject({
      status: 429,
      identity: 'ann',
    })
    expect(written.find((line) => line.event === 'config_reload')).toMatchObject({
      added: ['beta'],
      removed: ['alpha'],
      changed: [],
    })
    expect(written.find((line) => line.event === 'upstream_added')?.upstream).toBe('beta')
    const times = written.map((line) => Date.parse(line.time))
    expect(times).toEqual([...times].sort((a, b) => a - b))
    expect(JSON.stringify(written)).not.toContain(KEY)
  })
})

test('with includeArguments the arguments are written, secret-looking keys redacted', async () => {
  const file = join(folder, 'with-arguments.log')
  const alpha = serveV1Http({ name: 'alpha' })
  const proxy = await startProxy({
    upstreams: [{ id: 'alpha', url: alpha.url }],
    audit: { file, includeArguments: true },
  })
  const client = await connectClient(proxy.url)
  await client
    .callTool({ name: 'echo', arguments: { text: 'visible', apiKey: 'hidden-value' } })
    .catch(() => {})
  await client.close()
  await proxy.stop()
  await alpha.close()
  const call = lines(file).find((line) => line.event === 'call')
  expect(call?.arguments).toEqual({ text: 'visible', apiKey: '[redacted]' })
})

test('rotates by size, keeping the newest files', async () => {
  const file = join(folder, 'rotated.log')
  const alpha = serveV1Http({ name: 'alpha' })
  const proxy = await startProxy({
    upstreams: [{ id: 'alpha', url: alpha.url }],
    audit: { file, maxBytes: 1024, keep: 2 },
  })
  const client = await connectClient(proxy.url)
  for (let call = 0; call < 30; call++)
    await client.callTool({ name: 'echo', arguments: { text: `n${call}` } })
  await client.close()
  await proxy.stop()
  await alpha.close()
  expect(existsSync(`${file}.1`)).toBe(true)
  expect(existsSync(`${file}.2`)).toBe(true)
  expect(existsSync(`${file}.3`)).toBe(false)
  for (const path of [file, `${file}.1`, `${file}.2`])
    expect(readFileSync(path).length).toBeLessThanOrEqual(1024)
  const newest = lines(file).filter((line) => line.event === 'call')
  expect(newest.length).toBeGreaterThan(0)
})

test('a call that ends during SIGTERM is in the file when the process has exited', async () => {
  const file = join(folder, 'sigterm.log')
  const web = serveV1Http({ name: 'web' })
  const config = join(folder, 'sigterm.json')
  writeFileSync(config, JSON.stringify({ upstreams: [{ id: 'web', url: web.url }], audit: { file } }))
  const cli = await startCliProxy(['--config', config])
  try {
    const client = await connectClient(cli.url)
    const call = client.callTool({ name: 'wait', arguments: { ms: 400 } })
    await Bun.sleep(100)
    process.kill(cli.pid, 'SIGTERM')
    expect((await call).content).toEqual([{ type: 'text', text: 'waited' }])
    expect(await cli.exited).toBe(0)
    expect(lines(file).find((line) => line.name === 'wait')).toMatchObject({ outcome: 'ok', upstream: 'web' })
  } finally {
    cli.kill()
    await web.close()
  }
})
