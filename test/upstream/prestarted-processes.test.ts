import { expect, test } from 'bun:test'
import { resolve } from 'node:path'
import type { StreamableHTTPClientTransport } from '@modelcontextprotocol/client'
import { connectClient } from '../helpers/clients.ts'
import { startProxy, type TestProxy } from '../helpers/start-proxy.ts'
import { isAlive, waitFor } from '../helpers/wait.ts'

const SERVER = resolve(import.meta.dir, '../fixtures/slow-start-server.py')

/** The slow-starting Python server as a stdio upstream, tagged so that its processes can be found. */
function slowServer(tag: string, extra: { prestart?: number } = {}) {
  return { id: 'slow', command: ['python3', SERVER, '--tag', tag], ...extra }
}

function pidsOf(tag: string): number[] {
  const found = Bun.spawnSync(['pgrep', '-f', `slow-start-server.py --tag ${tag}`])
    .stdout.toString()
    .trim()
  return found ? found.split('\n').map(Number).sort() : []
}

async function whoami(url: string): Promise<number> {
  const client = await connectClient(url)
  const result = await client.callTool({ name: 'whoami', arguments: {} })
  await client.close()
  return Number((result.content as { text: string }[])[0]?.text)
}

async function upWith(tag: string, processes: number, extra: { prestart?: number } = {}): Promise<TestProxy> {
  const proxy = await startProxy({ upstreams: [slowServer(tag, extra)] })
  await waitFor(() => pidsOf(tag).length === processes, `${processes} processes of '${tag}'`)
  return proxy
}

test("a new session's first call goes to a process started before the session, which is then replaced", async () => {
  const tag = `prestart-${process.pid}-a`
  const proxy = await upWith(tag, 2)
  const waiting = await startedAhead(proxy)

  const client = await connectClient(proxy.url)
  const served = Number(
    ((await client.callTool({ name: 'whoami', arguments: {} })).content as { text: string }[])[0]?.text,
  )
  expect(served).toBe(waiting)
  await waitFor(() => pidsOf(tag).length === 3, 'a replacement to be started')
  await (client.transport as StreamableHTTPClientTransport).terminateSession()
  await client.close()
  await waitFor(() => !isAlive(served), "the session's process to end with the session")

  await proxy.stop()
  await waitFor(() => pidsOf(tag).length === 0, 'every process, the waiting one included, to end')
})

test('a process that exits while it waits is not handed to a session', async () => {
  const tag = `prestart-${process.pid}-b`
  const proxy = await upWith(tag, 2)
  const waiting = await startedAhead(proxy)
  process.kill(waiting, 'SIGKILL')
  await waitFor(() => !isAlive(waiting), 'the waiting process to be gone')
  const served = await whoami(proxy.url)
  expect(served).not.toBe(waiting)
  expect(pidsOf(tag)).not.toContain(waiting)
  await proxy.stop()
  await waitFor(() => pidsOf(tag).length === 0, 'every process to end')
})

test('prestart: 0 starts nothing ahead, and a session still gets a process of its own', async () => {
  const tag = `prestart-${process.pid}-c`
  const proxy = await upWith(tag, 1, { prestart: 0 })
  await Bun.sleep(300)
  expect(pidsOf(tag)).toHaveLength(1)
  const [sharedPid] = pidsOf(tag)
  expect(await whoami(proxy.url)).not.toBe(sharedPid)
  await proxy.stop()
  await waitFor(() => pidsOf(tag).length === 0, 'every process to end')
})

test('prestart is refused on an HTTP upstream', async () => {
  await expect(
    startProxy({ upstreams: [{ id: 'web', url: 'http://127.0.0.1:1/mcp', prestart: 2 }] }),
  ).rejects.toThrow('"prestart" is for stdio upstreams only')
})

/** The process the proxy says it started ahead for the next session. */
async function startedAhead(proxy: TestProxy): Promise<number> {
  const line = await waitFor(
    () => proxy.logs.findLast((entry) => entry.includes('started ahead for the next session')),
    'a process started ahead',
  )
  return Number(/process (\d+) started ahead/.exec(line)?.[1])
}
