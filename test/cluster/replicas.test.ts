import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import type { Client } from '@modelcontextprotocol/client'
import { serveV1Http, type V1Fixture } from '../fixtures/v1-server.ts'
import { answeringSampling, connectClient } from '../helpers/clients.ts'
import { type Cluster, startCluster } from '../helpers/cluster.ts'
import { redisUnavailable } from '../helpers/redis-server.ts'
import { waitFor } from '../helpers/wait.ts'

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
})
