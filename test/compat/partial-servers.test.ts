/**
 * Servers written the way published ones are (test/fixtures/v1-low-level-server.ts): capabilities
 * wider than their handlers, noise on stdout, slow starts, early notifications, fixed protocol
 * versions, long lists, exits with a reason on stderr. Each must serve through the proxy as it does
 * directly, and whatever it lacks must fail only the request that needs it.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { join } from 'node:path'
import { withoutServerInfo } from '../helpers/clients.ts'
import {
  DOWNSTREAMS,
  directStdio,
  errorOf,
  listEverything,
  listedThroughProxy,
  type Peer,
  proxiedPeer,
} from '../helpers/compare-servers.ts'
import { startProxy, type TestProxy } from '../helpers/start-proxy.ts'
import { waitFor } from '../helpers/wait.ts'

const FIXTURE = join(import.meta.dir, '../fixtures/v1-low-level-server.ts')
const notesServer = (...flags: string[]) => [process.execPath, FIXTURE, ...flags]

async function proxyFor(
  command: string[],
  extra: { id: string; command: string[] }[] = [],
): Promise<TestProxy> {
  return startProxy({ upstreams: [{ id: 'notes', command }, ...extra] })
}

/** The server answers a call through the proxy (it holds two notes). */
async function expectServes(client: Peer): Promise<void> {
  expect((await client.send('tools/call', { name: 'notes-count', arguments: {} })).content).toEqual([
    { type: 'text', text: '2' },
  ])
}

describe('a v1 low-level server that declares resources without templates, and prints on stdout', () => {
  const command = notesServer('--banner', '--early-notice')
  let proxy: TestProxy
  let direct: Peer
  beforeAll(async () => {
    proxy = await proxyFor(command)
    direct = await directStdio(command)
  })
  afterAll(async () => {
    await direct.close()
    await proxy.stop()
  })

  test('directly, it answers resources/templates/list with Method not found', async () => {
    expect((await listEverything(direct.send)).resourceTemplates).toEqual({ error: -32601 })
  })

  test.each(DOWNSTREAMS)(
    'through /%s (%s era) everything it lists is listed and callable',
    async (via, era) => {
      const client = await proxiedPeer(proxy.url, via, era)
      const listed = await listEverything(client.send)
      const { resourceTemplates: _missing, ...directLists } = await listEverything(direct.send)
      expect(listed).toEqual({ ...directLists, resourceTemplates: [] })
      const call = { name: 'notes.search', arguments: { query: 'milk' } }
      expect(withoutServerInfo(await client.send('tools/call', call))).toEqual(
        await direct.send('tools/call', call),
      )
      for (const name of ['notes/add', 'notes-count', 'TitleCase.Tool']) {
        expect((await client.send('tools/call', { name, arguments: { text: 'x' } })).isError).toBeUndefined()
      }
      expect(await client.send('resources/read', { uri: 'notes://all' })).toMatchObject({
        contents: [{ uri: 'notes://all', mimeType: 'text/plain' }],
      })
      expect(
        await client.send('prompts/get', { name: 'summarize-notes', arguments: { style: 'short' } }),
      ).toMatchObject({ messages: [{ role: 'user', content: { type: 'text' } }] })
      await client.close()
    },
  )

  test('the missing list is warned about once, and the upstream stays up without retries', async () => {
    const client = await proxiedPeer(proxy.url, 'mcp')
    await listEverything(client.send)
    await client.close()
    const warnings = proxy.logs.filter((line) => line.includes('resources/templates/list'))
    expect(warnings).toEqual([
      "warn: upstream 'notes' does not implement resources/templates/list (Method not found): listed as empty until it reports a change or reconnects",
    ])
    expect(proxy.logs.filter((line) => line.includes('unavailable'))).toEqual([])
    expect(proxy.proxy.status().upstreams[0]?.state).toBe('up')
  })

  test('what it prints on stdout is logged, never relayed', () => {
    expect(proxy.logs).toContain('info: [notes] notes-server v0.3.1 starting (stdio)')
  })

  test('a method it lacks fails that one request with a clear error, and nothing else', async () => {
    const client = await proxiedPeer(proxy.url, 'mcp')
    // logging/setLevel goes to every upstream that logs: one without it is passed over.
    expect(await client.send('logging/setLevel', { level: 'warning' })).toEqual({})
    const lacking = [
      [
        'completion/complete',
        { ref: { type: 'ref/prompt', name: 'summarize-notes' }, argument: { name: 'style', value: 's' } },
      ],
      ['resources/subscribe', { uri: 'notes://all' }],
      ['resources/unsubscribe', { uri: 'notes://all' }],
    ] as const
    for (const [method, params] of lacking) {
      const failure = await client.send(method, params).catch((error) => error)
      expect({ code: failure.code, message: failure.message }).toEqual({
        code: -32601,
        message: `upstream 'notes' does not implement ${method}`,
      })
    }
    expect(await client.send('ping')).toEqual({})
    await expectServes(client)
    await client.close()
  })

  test('a tool that throws comes back as the server sent it', async () => {
    const client = await proxiedPeer(proxy.url, 'mcp')
    const call = { name: 'fail_loudly', arguments: {} }
    const failure = (peer: Peer) => peer.send('tools/call', call).catch(errorOf)
    expect(await failure(client)).toEqual(await failure(direct))
    expect(await failure(client)).toEqual({ error: { code: -32603, message: 'the notes index is corrupt' } })
    await client.close()
  })
})

test('a list that fails for a while is empty meanwhile, read again with backoff, and listed once it answers', async () => {
  const proxy = await proxyFor(notesServer('--failing-prompt-lists', '2'))
  try {
    expect(proxy.proxy.status().upstreams[0]?.state).toBe('up')
    const client = await proxiedPeer(proxy.url, 'mcp')
    expect(((await client.send('tools/list')).tools as unknown[]).length).toBe(7)
    expect(
      proxy.logs.some((line) =>
        /^warn: upstream 'notes': prompts\/list failed \(the prompt store is still loading\); read again in [\d.]+ s$/.test(
          line,
        ),
      ),
    ).toBe(true)
    await waitFor(
      async () => ((await client.send('prompts/list')).prompts as unknown[]).length === 1,
      'the prompts to be listed',
    )
    await client.close()
  } finally {
    await proxy.stop()
  }
})

test('a server that starts slowly is listed once it is up', async () => {
  const proxy = await proxyFor(notesServer('--slow-start', '3000'))
  try {
    await waitFor(
      () => proxy.proxy.status().upstreams[0]?.state === 'up',
      'the slow server to come up',
      20_000,
    )
    const client = await proxiedPeer(proxy.url, 'mcp')
    expect(((await client.send('tools/list')).tools as unknown[]).length).toBe(7)
    await expectServes(client)
    await client.close()
  } finally {
    await proxy.stop()
  }
}, 30_000)

test('a 1,000-tool list is listed whole, page by page, and its last tool is callable', async () => {
  const command = notesServer('--tools', '1000')
  const proxy = await proxyFor(command)
  const direct = await directStdio(command)
  try {
    for (const era of ['legacy', 'modern'] as const) {
      const client = await proxiedPeer(proxy.url, 'mcp', era)
      expect(await listEverything(client.send)).toEqual(await listedThroughProxy(direct))
      expect((await client.send('tools/call', { name: 'generated_999', arguments: {} })).content).toEqual([
        { type: 'text', text: 'generated_999' },
      ])
      await client.close()
    }
  } finally {
    await direct.close()
    await proxy.stop()
  }
})

test('a server that never answers ping serves as any other', async () => {
  const proxy = await proxyFor(notesServer('--no-ping'))
  try {
    const client = await proxiedPeer(proxy.url, 'mcp')
    expect(await client.send('ping')).toEqual({})
    await expectServes(client)
    await client.close()
  } finally {
    await proxy.stop()
  }
})

test.each(['2024-11-05', '2025-03-26'])(
  'a server that answers %s whatever it is asked serves clients of every era',
  async (version) => {
    const proxy = await proxyFor(notesServer('--answer-version', version))
    try {
      expect(proxy.logs.some((line) => line.includes(`'notes' is up (stdio, protocol ${version}`))).toBe(true)
      for (const [via, era] of DOWNSTREAMS) {
        const client = await proxiedPeer(proxy.url, via, era)
        expect(((await client.send('tools/list')).tools as unknown[]).length).toBe(7)
        await expectServes(client)
        await client.close()
      }
    } finally {
      await proxy.stop()
    }
  },
)

test('a server that exits at start is logged with the end of its stderr, clients get only the reason, and the others keep serving', async () => {
  const proxy = await proxyFor(notesServer('--exit-with', 'Error: NOTES_TOKEN is not set'), [
    { id: 'other', command: notesServer() },
  ])
  try {
    const broken = proxy.proxy.status().upstreams.find((upstream) => upstream.id === 'notes')
    expect(broken?.state).toBe('down')
    expect(broken?.lastError).toBe('the process exited with code 1')
    expect(proxy.logs).toContain(
      "warn: upstream 'notes' is unavailable (retrying): the process exited with code 1; its last words on stderr:\n  Loading configuration...\n  Error: NOTES_TOKEN is not set",
    )
    const client = await proxiedPeer(proxy.url, 'mcp')
    await expectServes(client)
    await client.close()
  } finally {
    await proxy.stop()
  }
})

test('a server that closes its stdout mid-call fails that call, and the next call is served again', async () => {
  const proxy = await proxyFor(['python3', join(import.meta.dir, '../fixtures/stdout-closing-server.py')])
  try {
    const client = await proxiedPeer(proxy.url, 'mcp')
    const failure = await client
      .send('tools/call', { name: 'hang_up', arguments: {} })
      .catch((error) => error)
    expect(failure.code).toBe(-32010)
    expect(failure.message).toContain("upstream 'notes'")
    // Reported once: the stop that follows is the proxy's own doing.
    expect(proxy.logs.filter((line) => line.includes("a session's process ended"))).toEqual([
      "warn: upstream 'notes': a session's process ended: the process closed its stdout and was stopped, writing nothing to stderr",
    ])
    expect((await client.send('tools/call', { name: 'hello', arguments: {} })).content).toEqual([
      { type: 'text', text: 'hello' },
    ])
    await client.close()
  } finally {
    await proxy.stop()
  }
})
