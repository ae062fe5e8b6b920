/** Requests of a session that ends under them (DELETE, idle timeout) are answered, not left hanging. */
import { afterAll, beforeAll, expect, test } from 'bun:test'
import { serveV1Http, type V1Fixture } from '../fixtures/v1-server.ts'
import { slowToInitialize } from '../helpers/slow-upstream.ts'
import { startProxy, type TestProxy } from '../helpers/start-proxy.ts'
import { deleteSession, openSession, postEcho } from '../load/raw-session.ts'

let upstream: V1Fixture
let slow: ReturnType<typeof slowToInitialize>
let proxy: TestProxy

beforeAll(async () => {
  upstream = serveV1Http({ name: 'alpha' })
  slow = slowToInitialize(upstream, 600)
  proxy = await startProxy({ upstreams: [{ id: 'alpha', url: slow.url }] })
})
afterAll(async () => {
  await proxy?.stop()
  slow?.stop()
  await upstream?.close()
})

test('a call waiting for its upstream session when the client deletes the session gets an answer', async () => {
  const id = await openSession(proxy.url, 0)
  // The session's first call opens its upstream session, which takes the upstream 600 ms.
  const calling = postEcho(proxy.url, id, 'x', 10_000)
  await Bun.sleep(150)
  await deleteSession(proxy.url, id)
  const answer = await calling
  expect(answer.status).toBe(404)
  expect(answer.body).toContain('Session not found')
})
