import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { type BoardServer, serveBoard } from '../fixtures/board-server.ts'
import { serveV1Http, type V1Fixture } from '../fixtures/v1-server.ts'
import { type Cluster, replicaEndpoints, startCluster } from '../helpers/cluster.ts'
import { postRpc } from '../helpers/mcp-http.ts'
import { redisUnavailable } from '../helpers/redis-server.ts'
import { upstreamHop } from '../helpers/slow-upstream.ts'
import { waitFor } from '../helpers/wait.ts'
import { callEcho, deleteSession, openSession } from '../load/raw-session.ts'

describe.skipIf(redisUnavailable !== undefined)('upstream sessions in a cluster', () => {
  let upstream: V1Fixture
  let cluster: Cluster
  /** The upstream sessions tools/call requests were answered in (a hop in front of the upstream sees them). */
  const calls: { session: string; ok: boolean }[] = []
  let hop: ReturnType<typeof upstreamHop>
  beforeAll(async () => {
    upstream = serveV1Http({ name: 'alpha' })
    hop = upstreamHop(upstream, {
      onPost: (body, request, answer) => {
        if (body.includes('"tools/call"'))
          calls.push({ session: request.headers.get('mcp-session-id') ?? '', ok: answer.ok })
      },
    })
    cluster = await startCluster({ upstreams: [{ id: 'alpha', url: hop.url }] })
  })
  afterAll(async () => {
    await cluster?.stop()
    hop?.stop()
    await upstream?.close()
  })

  // Each replica keeps a connection of its own to the upstream (its catalog), an upstream session too.
  test('every replica serving a client session speaks in one upstream session, ended with it', async () => {
    const catalogs = upstream.sessions()
    const id = await openSession(cluster.url, 0)
    // A log level in the record: each replica that adopts the session applies it upstream too.
    await postRpc(
      cluster.url,
      { 'mcp-session-id': id, 'mcp-protocol-version': '2025-11-25' },
      {
        jsonrpc: '2.0',
        id: 'level',
        method: 'logging/setLevel',
        params: { level: 'warning' },
      },
    ).then((response) => response.text())
    const from = cluster.served.length
    for (let round = 0; round < 6; round++) await callEcho(cluster.url, id, `r${round}`)
    expect(new Set(cluster.served.slice(from))).toEqual(new Set([0, 1, 2]))
    // An upstream that keeps state per session sees one client, as without the cluster.
    expect(upstream.sessions()).toBe(catalogs + 1)
    await deleteSession(cluster.url, id)
    await waitFor(
      () => upstream.sessions() === catalogs,
      'the upstream session to end with the client session',
    )
  })

  test('a replica that stops leaves the upstream session to the others', async () => {
    const catalogs = upstream.sessions()
    const id = await openSession(cluster.url, 0)
    for (let round = 0; round < 3; round++) await callEcho(cluster.url, id, `before${round}`)
    expect(upstream.sessions()).toBe(catalogs + 1)
    const stopping = cluster.replicas[0]
    stopping?.child.kill('SIGTERM')
    await stopping?.child.exited
    for (let round = 0; round < 4; round++) await callEcho(cluster.url, id, `after${round}`)
    // Less the stopped replica's own connection; the client session's is the same one.
    expect(upstream.sessions()).toBe(catalogs)
    await deleteSession(cluster.url, id)
    await waitFor(
      () => upstream.sessions() === catalogs - 1,
      'the upstream session to end with the client session',
    )
  })

  // Last: the replicas' own connections are lost with the sessions, and come back in their own time.
  test('an upstream session the upstream forgot is replaced by one new session for every replica', async () => {
    const id = await openSession(cluster.url, 0)
    for (let round = 0; round < 3; round++) await callEcho(cluster.url, id, `before${round}`)
    await upstream.dropSessions()
    // As after any upstream restart, a replica may find the upstream down for a moment: retried.
    const callAgain = (text: string) =>
      waitFor(
        () =>
          callEcho(cluster.url, id, text).then(
            () => true,
            () => false,
          ),
        `echo ${text}`,
      )
    const from = calls.length
    for (let round = 0; round < 6; round++) await callAgain(`after${round}`)
    const sessions = new Set(
      calls
        .slice(from)
        .filter((call) => call.ok)
        .map((call) => call.session),
    )
    expect(sessions.size).toBe(1)
    await deleteSession(cluster.url, id)
  })
})

describe.skipIf(redisUnavailable !== undefined)('resource updates in a shared upstream session', () => {
  let board: BoardServer
  let cluster: Cluster
  beforeAll(async () => {
    board = serveBoard()
    cluster = await startCluster({ upstreams: [{ id: 'board', url: board.url }] }, 2)
  })
  afterAll(async () => {
    await cluster?.stop()
    await board?.close()
  })

  test('keep coming when the replica holding the upstream session’s GET stream dies', async () => {
    const [first, second] = replicaEndpoints(cluster)
    const id = await openSession(first, 0)
    const headers = { 'mcp-session-id': id, 'mcp-protocol-version': '2025-11-25' }
    // The client's GET stream is on the first replica, which subscribes upstream: it opens the
    // upstream session, whose GET stream it holds.
    // Not awaited: the stream's headers go out with its first event.
    const firstStream = fetch(first, { headers: { ...headers, accept: 'text/event-stream' } })
    await post(first, headers, {
      jsonrpc: '2.0',
      id: 1,
      method: 'resources/subscribe',
      params: { uri: 'board://main' },
    })
    await waitFor(() => board.subscribers() === 1, 'the subscription upstream')
    cluster.kill(0)
    await firstStream.then((response) => response.text()).catch(() => '')
    // The client's GET stream reconnects to the second replica, which takes the upstream's over.
    const updated = fetch(second, { headers: { ...headers, accept: 'text/event-stream' } }).then((response) =>
      eventsUntil(response, 'notifications/resources/updated'),
    )
    let round = 0
    const writing = setInterval(() => {
      void post(second, headers, {
        jsonrpc: '2.0',
        id: 10 + round,
        method: 'tools/call',
        params: { name: 'write_board', arguments: { text: `after${round++}` } },
      }).catch(() => {})
    }, 500)
    try {
      expect(await updated).toContain('board://main')
    } finally {
      clearInterval(writing)
    }
    expect(board.subscribers()).toBe(1)
  })
})

/** A request whose answer is read to its end. */
async function post(
  url: string,
  headers: Record<string, string>,
  body: Record<string, unknown>,
): Promise<void> {
  await (await postRpc(url, headers, body)).text()
}

/** What an event stream carried up to the first event naming `method` (15 s at most). */
async function eventsUntil(response: Response, method: string): Promise<string> {
  const reader = (response.body as ReadableStream<Uint8Array>).getReader()
  const decoder = new TextDecoder()
  const deadline = setTimeout(() => void reader.cancel(), 15_000)
  let seen = ''
  try {
    while (!seen.includes(method)) {
      const chunk = await reader.read()
      if (chunk.done) break
      seen += decoder.decode(chunk.value, { stream: true })
    }
  } finally {
    clearTimeout(deadline)
    void reader.cancel().catch(() => {})
  }
  return seen
}
