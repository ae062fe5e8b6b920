import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { serveV1Http, type V1Fixture } from '../fixtures/v1-server.ts'
import { type Cluster, replicaEndpoints, startCluster } from '../helpers/cluster.ts'
import { redisUnavailable } from '../helpers/redis-server.ts'
import { delayingSubscribes } from '../helpers/slow-redis.ts'
import { slowToInitialize } from '../helpers/slow-upstream.ts'
import { waitFor } from '../helpers/wait.ts'
import { deleteSession, openSession, postEcho } from '../load/raw-session.ts'

async function activeSessions(port: number): Promise<number> {
  const metrics = await fetch(`http://127.0.0.1:${port}/metrics`).then((response) => response.text())
  return Number(/^proxmcp_sessions_active (\d+)$/m.exec(metrics)?.[1])
}

describe.skipIf(redisUnavailable !== undefined)('a session deleted on one replica', () => {
  let upstream: V1Fixture
  let slow: ReturnType<typeof slowToInitialize>
  let cluster: Cluster
  beforeAll(async () => {
    upstream = serveV1Http({ name: 'alpha' })
    slow = slowToInitialize(upstream, 600)
    cluster = await startCluster({ upstreams: [{ id: 'alpha', url: slow.url }] }, 2)
  })
  afterAll(async () => {
    await cluster?.stop()
    slow?.stop()
    await upstream?.close()
  })

  test('ends its copy on another replica, whose request in flight gets an answer', async () => {
    const [first, second] = replicaEndpoints(cluster)
    const id = await openSession(first, 0)
    // The second replica rebuilds the session, then opens its upstream session (600 ms) for the call.
    const calling = postEcho(second, id, 'x', 10_000)
    await Bun.sleep(150)
    await deleteSession(first, id)
    const answer = await calling
    expect(answer.status).toBe(404)
    expect(answer.body).toContain('Session not found')
    const port = cluster.replicas[1]?.port as number
    await waitFor(async () => (await activeSessions(port)) === 0, 'the copy on the second replica to close')
  })
})

describe.skipIf(redisUnavailable !== undefined)('a session deleted while another replica adopts it', () => {
  let upstream: V1Fixture
  let hop: ReturnType<typeof delayingSubscribes> | undefined
  let cluster: Cluster
  beforeAll(async () => {
    upstream = serveV1Http({ name: 'alpha' })
    // The second replica reaches Redis through a hop that holds its SUBSCRIBEs for 800 ms.
    cluster = await startCluster({ upstreams: [{ id: 'alpha', url: upstream.url }] }, 2, {
      redisFor: (url, index) => {
        if (index === 0) return url
        hop = delayingSubscribes(url, 800)
        return hop.url
      },
    })
  })
  afterAll(async () => {
    await cluster?.stop()
    hop?.stop()
    await upstream?.close()
  })

  test('is not brought back to life by it: the request gets 404 and the copy closes', async () => {
    const [first, second] = replicaEndpoints(cluster)
    const id = await openSession(first, 0)
    // The second replica reads the record at once, then joins the session's channel 800 ms later;
    // the DELETE's message to that channel comes in between.
    const calling = postEcho(second, id, 'late', 10_000)
    await Bun.sleep(300)
    await deleteSession(first, id)
    const answer = await calling
    expect(answer.status).toBe(404)
    expect(answer.body).toContain('Session not found')
    expect(await activeSessions(cluster.replicas[1]?.port as number)).toBe(0)
  })
})
