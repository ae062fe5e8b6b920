import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Client, SSEClientTransport } from '@modelcontextprotocol/client'
import { type BoardServer, serveBoard } from '../fixtures/board-server.ts'
import { serveV1Http, type V1Fixture } from '../fixtures/v1-server.ts'
import { answeringSampling, connectClient } from '../helpers/clients.ts'
import { CLUSTER_SECRET, type Cluster, type Replica, startCluster } from '../helpers/cluster.ts'
import { type RedisServer, redisUnavailable, startRedis } from '../helpers/redis-server.ts'
import { fixturePids, stdioFixture } from '../helpers/stdio-fixture.ts'
import { freePort, waitFor, waitForHealthz } from '../helpers/wait.ts'
import { openSession } from '../load/raw-session.ts'

/** The replica with a call in flight, by its own metrics. */
async function replicaRunningACall(cluster: Cluster): Promise<number> {
  return waitFor(async () => {
    for (const [index, replica] of cluster.replicas.entries()) {
      const metrics = await fetch(`http://127.0.0.1:${replica.port}/metrics`).then(
        (response) => response.text(),
        () => '',
      )
      if (/^proxmcp_calls_in_flight 1$/m.test(metrics)) return index + 1
    }
    return 0
  }, 'a replica running the call').then((found) => found - 1)
}

const text = (result: unknown) =>
  ((result as { content: { text: string }[] }).content[0] as { text: string }).text

describe.skipIf(redisUnavailable !== undefined)('a session served by every replica in turn', () => {
  let upstream: V1Fixture
  let cluster: Cluster
  let client: Client
  beforeAll(async () => {
    upstream = serveV1Http({ name: 'alpha' })
    cluster = await startCluster({ upstreams: [{ id: 'alpha', url: upstream.url }] })
    const sampling = answeringSampling('hi from the client')
    client = await connectClient(cluster.url, sampling)
  })
  afterAll(async () => {
    await client?.close()
    await cluster?.stop()
    await upstream?.close()
  })

  test('lists and calls land on different replicas and all answer', async () => {
    const before = cluster.served.length
    for (let round = 0; round < 6; round++) {
      expect((await client.listTools()).tools.map((tool) => tool.name)).toContain('echo')
      expect(text(await client.callTool({ name: 'echo', arguments: { text: `t${round}` } }))).toBe(
        `alpha:t${round}`,
      )
    }
    expect(new Set(cluster.served.slice(before)).size).toBe(3)
  })

  test('a sampling request raised during a call is answered through the client, wherever the answer lands', async () => {
    for (let round = 0; round < 3; round++) {
      expect(text(await client.callTool({ name: 'sample', arguments: {} }))).toBe(
        'model said hi from the client',
      )
    }
  })

  test('progress reaches the client', async () => {
    const seen: number[] = []
    const result = await client.callTool(
      { name: 'progress', arguments: { steps: 3 } },
      { onprogress: (progress) => void seen.push(progress.progress) },
    )
    expect(text(result)).toBe('done after 3 steps')
    expect(seen).toEqual([1, 2, 3])
  })

  test('cancelling a call that runs on another replica aborts it upstream', async () => {
    const controller = new AbortController()
    const call = client.callTool({ name: 'wait', arguments: { ms: 20_000 } }, { signal: controller.signal })
    const aborted = upstream.events.filter((event) => event === 'aborted').length
    await Bun.sleep(300)
    controller.abort('enough')
    await expect(call).rejects.toThrow()
    await waitFor(
      () => upstream.events.filter((event) => event === 'aborted').length > aborted,
      'the upstream call to be aborted',
    )
  })

  test('an HTTP+SSE client, whose POSTs land on any replica, reaches the replica holding its stream', async () => {
    const sse = new Client(
      { name: 'sse-client', version: '1.0.0' },
      { capabilities: { sampling: {} }, versionNegotiation: { mode: 'legacy' } },
    )
    sse.setRequestHandler('sampling/createMessage', async () => ({
      role: 'assistant',
      content: { type: 'text', text: 'sampled over sse' },
      model: 'test',
    }))
    await sse.connect(new SSEClientTransport(new URL(cluster.url.replace(/\/mcp$/, '/sse'))))
    const before = cluster.served.length
    for (let round = 0; round < 3; round++) {
      expect(text(await sse.callTool({ name: 'echo', arguments: { text: `s${round}` } }))).toBe(
        `alpha:s${round}`,
      )
      expect(text(await sse.callTool({ name: 'sample', arguments: {} }))).toBe('model said sampled over sse')
    }
    expect(new Set(cluster.served.slice(before)).size).toBe(3)
    await sse.close()
  })
})

describe.skipIf(redisUnavailable !== undefined)('what the client hears outside its calls', () => {
  let board: BoardServer
  let cluster: Cluster
  let client: Client
  const updates: string[] = []
  let listChanges = 0
  beforeAll(async () => {
    board = serveBoard()
    cluster = await startCluster({ upstreams: [{ id: 'board', url: board.url }] })
    client = await connectClient(cluster.url, {
      setup: (created) => {
        created.setNotificationHandler('notifications/resources/updated', async (notification) => {
          updates.push(notification.params.uri)
        })
        created.setNotificationHandler('notifications/tools/list_changed', async () => void listChanges++)
      },
    })
  })
  afterAll(async () => {
    await client?.close()
    await cluster?.stop()
    await board?.close()
  })

  test('a subscription made on one replica brings updates over the GET stream held by another, once', async () => {
    await client.subscribeResource({ uri: 'board://main' })
    await waitFor(() => board.subscribers() === 1, 'the replica holding the GET stream to subscribe upstream')
    for (let round = 0; round < 3; round++)
      await client.callTool({ name: 'write_board', arguments: { text: `v${round}` } })
    await waitFor(() => updates.length === 3, 'three updates')
    await Bun.sleep(200)
    expect(updates).toEqual(['board://main', 'board://main', 'board://main'])
    expect(board.subscribers()).toBe(1)
    const read = await client.readResource({ uri: 'board://main' })
    expect(read.contents[0]).toMatchObject({ text: 'v2' })
    await client.unsubscribeResource({ uri: 'board://main' })
    await waitFor(() => board.subscribers() === 0, 'the upstream subscription to end')
  })

  test('a tool added upstream is announced once and listed by every replica', async () => {
    await client.callTool({ name: 'add_tool', arguments: { name: 'pin_note' } })
    await waitFor(() => listChanges > 0, 'tools/list_changed')
    for (let round = 0; round < 3; round++) {
      const names = await waitFor(async () => {
        const listed = (await client.listTools()).tools.map((tool) => tool.name)
        return listed.includes('pin_note') && listed
      }, 'the new tool on this replica')
      expect(names).toContain('write_board')
    }
    await Bun.sleep(200)
    expect(listChanges).toBe(1)
  })
})

describe.skipIf(redisUnavailable !== undefined)('a replica killed mid-session', () => {
  let upstream: V1Fixture
  let cluster: Cluster
  beforeAll(async () => {
    upstream = serveV1Http({ name: 'beta' })
    cluster = await startCluster({
      upstreams: [
        { id: 'beta', url: upstream.url },
        { id: 'local', command: stdioFixture('cluster-kill'), shareProcess: true },
      ],
    })
  })
  afterAll(async () => {
    await cluster?.stop()
    await upstream?.close()
  })

  test('only the call in flight on it fails; the session goes on, and its processes do not outlive it', async () => {
    const client = await connectClient(cluster.url)
    await client.listTools()
    expect(fixturePids('cluster-kill').length).toBe(3)
    // The upstream sends nothing before its answer, not even headers: the replica opens the client's stream itself.
    const inFlight = client.callTool({ name: 'wait', arguments: { ms: 30_000 } })
    const victim = await replicaRunningACall(cluster)
    // Past the 200 ms the replica gives the upstream to answer before it opens the client's stream.
    await Bun.sleep(400)
    cluster.kill(victim)
    await expect(inFlight).rejects.toThrow(/replica serving this call was lost/)
    for (let round = 0; round < 4; round++) {
      expect(text(await client.callTool({ name: 'echo', arguments: { text: `after${round}` } }))).toBe(
        `beta:after${round}`,
      )
    }
    await waitFor(() => fixturePids('cluster-kill').length === 2, "the dead replica's stdio process to exit")
    await client.close()
  })

  test('a replica told to stop finishes its calls, passes new work to others, reports itself not ready, and the session goes on', async () => {
    const client = await connectClient(cluster.url)
    await client.listTools()
    const call = client.callTool({ name: 'wait', arguments: { ms: 1_500 } })
    const draining = cluster.replicas[await replicaRunningACall(cluster)] as Replica
    draining.child.kill('SIGTERM')
    await waitFor(async () => {
      const ready = await fetch(`http://127.0.0.1:${draining.port}/readyz`).catch(() => undefined)
      return ready?.status === 503 && ((await ready.json()) as { status: string }).status === 'draining'
    }, 'the draining replica to say so')
    // Work that lands on the draining replica meanwhile is passed to another, not refused.
    for (let round = 0; round < 3; round++) {
      expect(text(await client.callTool({ name: 'echo', arguments: { text: 'meanwhile' } }))).toBe(
        'beta:meanwhile',
      )
    }
    expect(text(await call)).toBe('waited')
    await draining.child.exited
    for (let round = 0; round < 3; round++) {
      expect(text(await client.callTool({ name: 'echo', arguments: { text: 'still' } }))).toBe('beta:still')
    }
    await client.close()
  })

  test('with Redis gone, sessions a replica holds go on and new ones are refused with a reason', async () => {
    const client = await connectClient(cluster.url)
    for (let round = 0; round < 3; round++) await client.callTool({ name: 'echo', arguments: { text: 'x' } })
    await cluster.redis.stop()
    expect(text(await client.callTool({ name: 'echo', arguments: { text: 'alone' } }))).toBe('beta:alone')
    await expect(connectClient(cluster.url)).rejects.toThrow(
      /shared session store \(Redis\) cannot be reached/,
    )
    await client.close()
  })
})

describe.skipIf(redisUnavailable !== undefined)('a replica killed during a request it does not relay', () => {
  let upstream: V1Fixture
  let cluster: Cluster
  let client: Client
  beforeAll(async () => {
    upstream = serveV1Http({ name: 'gamma' })
    // Listed first, the stdio upstream owns `wait`: a call answered off its connection, as one JSON
    // body when quick. Reads are answered through the SDK's transport.
    cluster = await startCluster(
      {
        upstreams: [
          { id: 'local', command: stdioFixture('cluster-sdk-kill'), shareProcess: true },
          { id: 'gamma', url: upstream.url },
        ],
      },
      3,
    )
    client = await connectClient(cluster.url)
  })
  afterAll(async () => {
    await client?.close()
    await cluster?.stop()
    await upstream?.close()
  })

  const cases = [
    [
      'a stdio tool call',
      () => client.callTool({ name: 'wait', arguments: { ms: 30_000 } }, { timeout: 60_000 }),
    ],
    [
      'a resource read',
      () => client.readResource({ uri: 'fixture://gamma/items/wait-30000' }, { timeout: 60_000 }),
    ],
  ] as const
  for (const [what, request] of cases) {
    test(`${what} fails at once with a clear error, and the session goes on`, async () => {
      const started = Date.now()
      const inFlight = request()
      const victim = await replicaRunningACall(cluster)
      // Past the priming wait: a replica that dies before its client's stream opened leaves the
      // balancer to answer (this test's retries the POST elsewhere, as a balancer may).
      await Bun.sleep(400)
      cluster.kill(victim)
      await expect(inFlight).rejects.toThrow(/replica serving this call was lost/)
      expect(Date.now() - started).toBeLessThan(10_000)
      expect(text(await client.callTool({ name: 'echo', arguments: { text: 'after' } }))).toBe(
        'cluster-sdk-kill:after',
      )
      const read = await client.readResource({ uri: 'fixture://gamma/items/7' })
      expect(read.contents[0]).toMatchObject({ text: 'item 7 of gamma' })
    })
  }

  test('a lost stream of a batch is answered only for the requests it had not answered yet', async () => {
    const id = await openSession(cluster.url, 0)
    const headers = {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-session-id': id,
      'mcp-protocol-version': '2025-11-25',
    }
    const cut = new AbortController()
    const batch = await fetch(cluster.url, {
      method: 'POST',
      headers,
      signal: cut.signal,
      body: JSON.stringify([
        { jsonrpc: '2.0', id: 10, method: 'resources/read', params: { uri: 'fixture://gamma/items/7' } },
        {
          jsonrpc: '2.0',
          id: 11,
          method: 'resources/read',
          params: { uri: 'fixture://gamma/items/wait-3000' },
        },
      ]),
    })
    const reader = (batch.body as ReadableStream<Uint8Array>).getReader()
    let seen = ''
    while (!seen.includes('item 7 of gamma')) seen += new TextDecoder().decode((await reader.read()).value)
    const lastEventId = [...seen.matchAll(/^id: (.*)$/gm)].at(-1)?.[1] as string
    cut.abort()
    const reconnected = await fetch(cluster.url, { headers: { ...headers, 'last-event-id': lastEventId } })
    const answers = await reconnected.text()
    expect(answers).toContain('"id":11')
    expect(answers).toContain('replica serving this call was lost')
    expect(answers).not.toContain('"id":10')
  })
})

describe.skipIf(redisUnavailable !== undefined)('what only one replica can hold', () => {
  let upstream: V1Fixture
  let cluster: Cluster
  beforeAll(async () => {
    upstream = serveV1Http({ name: 'gamma' })
    cluster = await startCluster({
      upstreams: [
        { id: 'gamma', url: upstream.url },
        { id: 'own', command: stdioFixture('cluster-own') },
      ],
      namespace: true,
    })
  })
  afterAll(async () => {
    await cluster?.stop()
    await upstream?.close()
  })

  test('a 2026-07-28 retry that lands on another replica continues the paused call where it waits', async () => {
    const client = await connectClient(cluster.url, { era: 'modern', ...answeringSampling('hi again') })
    for (let round = 0; round < 3; round++) {
      expect(text(await client.callTool({ name: 'gamma__sample', arguments: {} }))).toBe(
        'model said hi again',
      )
    }
    await client.close()
  })

  test("a session's own stdio process runs on one replica, which the others pass its requests to; when that replica dies the next one takes over", async () => {
    // Each replica runs the upstream's own connection and a process started ahead for the next session.
    const idle = 6
    await waitFor(() => fixturePids('cluster-own').length === idle, 'the processes every replica starts')
    const client = await connectClient(cluster.url)
    for (let round = 0; round < 4; round++) {
      expect(text(await client.callTool({ name: 'own__echo', arguments: { text: `r${round}` } }))).toBe(
        `cluster-own:r${round}`,
      )
    }
    // One replica took its waiting process for the session and started another; the others none.
    expect(fixturePids('cluster-own')).toHaveLength(idle + 1)
    const perReplica = cluster.replicas.map(
      (replica) => fixturePids('cluster-own').filter((pid) => parentOf(pid) === replica.child.pid).length,
    )
    const owner = perReplica.indexOf(3)
    expect(perReplica.toSorted()).toEqual([2, 2, 3])
    cluster.kill(owner)
    await waitFor(() => fixturePids('cluster-own').length === idle - 2, "the dead owner's processes to exit")
    for (let round = 0; round < 3; round++) {
      expect(text(await client.callTool({ name: 'own__echo', arguments: { text: 'again' } }))).toBe(
        'cluster-own:again',
      )
    }
    expect(fixturePids('cluster-own')).toHaveLength(idle - 1)
    await client.close()
  })

  test('passed requests are never passed on again, and a passed GET stream ends with its client', async () => {
    const [owner, other] = cluster.replicas.filter((replica) => !replica.child.killed) as [Replica, Replica]
    const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }
    const sessionId = await openSession(`http://127.0.0.1:${owner.port}/mcp`, 0)
    const session = { 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-11-25' }
    // A requestState naming another replica, on a session owned by this one, must not bounce between them.
    const redisCli = (...args: string[]) =>
      Bun.spawnSync(['redis-cli', '-u', cluster.redis.url, ...args])
        .stdout.toString()
        .trim()
    const ownerTag = redisCli('hget', `proxmcp:session:${session['mcp-session-id']}`, 'owner')
    const tag = redisCli('pubsub', 'channels', 'proxmcp:replica:*')
      .split('\n')
      .map((channel) => channel.split(':').at(-1) as string)
      .find((candidate) => candidate !== ownerTag) as string
    expect(tag).toHaveLength(10)
    const listed = await fetch(`http://127.0.0.1:${other.port}/mcp`, {
      method: 'POST',
      headers: { ...headers, ...session },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 2,
        method: 'tools/list',
        params: { requestState: `s:${tag}:x` },
      }),
    })
    expect(listed.status).toBe(200)
    await listed.text()
    // The owner's SDK allows one GET stream per session: a passed one left open would refuse the next (409).
    const streamThroughOther = (signal: AbortSignal) =>
      fetch(`http://127.0.0.1:${other.port}/mcp`, {
        headers: { accept: 'text/event-stream', ...session },
        signal,
      })
    const first = new AbortController()
    void streamThroughOther(first.signal).catch(() => {})
    await Bun.sleep(300)
    first.abort()
    await Bun.sleep(500)
    const second = new AbortController()
    const answer = await Promise.race([
      streamThroughOther(second.signal).then((response) => response.status),
      Bun.sleep(1_000).then(() => 'still streaming'),
    ])
    second.abort()
    expect([200, 'still streaming']).toContain(answer)
  })
})

function parentOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
}

describe.skipIf(redisUnavailable !== undefined)('limits the cluster shares', () => {
  let upstream: V1Fixture
  let cluster: Cluster
  beforeAll(async () => {
    upstream = serveV1Http({ name: 'delta' })
    cluster = await startCluster({ upstreams: [{ id: 'delta', url: upstream.url }] }, 3, {
      args: ['--rate-limit', '4'],
    })
  })
  afterAll(async () => {
    await cluster?.stop()
    await upstream?.close()
  })

  test('--rate-limit counts in the cluster’s Redis: the limit holds across replicas', async () => {
    const statuses: number[] = []
    for (let round = 0; round < 6; round++) {
      const response = await fetch(cluster.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
        body: JSON.stringify({ jsonrpc: '2.0', id: round, method: 'tools/list' }),
      })
      statuses.push(response.status)
    }
    expect(new Set(cluster.served.slice(-6)).size).toBe(3)
    expect(statuses.slice(0, 4).every((status) => status !== 429)).toBe(true)
    expect(statuses.slice(4)).toEqual([429, 429])
  })
})

test.skipIf(redisUnavailable !== undefined)(
  'a replica whose Redis is not there yet is not ready, refuses sessions with the reason, and joins once Redis comes',
  async () => {
    const redisPort = freePort()
    const upstream = serveV1Http({ name: 'epsilon' })
    const port = freePort()
    const dir = mkdtempSync(join(tmpdir(), 'proxmcp-cluster-late-'))
    writeFileSync(
      join(dir, 'proxmcp.config.json'),
      JSON.stringify({ upstreams: [{ id: 'e', url: upstream.url }] }),
    )
    const replica = Bun.spawn(
      [
        process.execPath,
        join(process.cwd(), 'src/cli/bun.ts'),
        '--config',
        join(dir, 'proxmcp.config.json'),
        '--port',
        String(port),
      ],
      {
        env: {
          ...process.env,
          PROXMCP_CLUSTER_REDIS: `redis://127.0.0.1:${redisPort}`,
          PROXMCP_CLUSTER_SECRET: CLUSTER_SECRET,
        },
        stdout: 'ignore',
        stderr: 'ignore',
      },
    )
    let redis: RedisServer | undefined
    try {
      await waitForHealthz(port)
      const ready = await fetch(`http://127.0.0.1:${port}/readyz`)
      expect(ready.status).toBe(503)
      expect(((await ready.json()) as { status: string }).status).toBe('joining cluster')
      await expect(connectClient(`http://127.0.0.1:${port}/mcp`)).rejects.toThrow(/Redis\) cannot be reached/)
      redis = await startRedis(redisPort)
      await waitFor(
        () => fetch(`http://127.0.0.1:${port}/readyz`).then((response) => response.ok),
        'the replica to join once Redis is up',
      )
      const client = await connectClient(`http://127.0.0.1:${port}/mcp`)
      expect(text(await client.callTool({ name: 'echo', arguments: { text: 'late' } }))).toBe('epsilon:late')
      await client.close()
    } finally {
      replica.kill()
      await replica.exited
      await redis?.stop()
      await upstream.close()
    }
  },
)
