import { afterEach, expect, test } from 'bun:test'
import type { ServerCapabilities } from '@modelcontextprotocol/client'
import { InMemoryTransport, ProtocolError, ProtocolErrorCode, Server } from '@modelcontextprotocol/server'
import { resolveConfig, type UpstreamConfig } from '../../../src/config/resolve.ts'
import type { Logger } from '../../../src/logger.ts'
import { openLink } from '../../../src/upstream/connect-client.ts'
import type { JsonObject, UpstreamLink } from '../../../src/upstream/link.ts'
import { UpstreamLists } from '../../../src/upstream/upstream-lists.ts'

type ListMethod = 'tools/list' | 'resources/list' | 'resources/templates/list' | 'prompts/list'
/** What the upstream answers to one list request: a result, or an error to throw. */
type Answer = (params: { cursor?: string } | undefined) => JsonObject

const ALL: ServerCapabilities = { tools: {}, resources: {}, prompts: {} }
const TOOL = { name: 'search', inputSchema: { type: 'object' } }
const RESOURCE = { uri: 'mem://a', name: 'a' }
const TEMPLATE = { uriTemplate: 'mem://{key}', name: 'keys' }
const PROMPT = { name: 'greet' }
const LISTED: Record<ListMethod, Answer> = {
  'tools/list': () => ({ tools: [TOOL] }),
  'resources/list': () => ({ resources: [RESOURCE] }),
  'resources/templates/list': () => ({ resourceTemplates: [TEMPLATE] }),
  'prompts/list': () => ({ prompts: [PROMPT] }),
}
const fails: Answer = () => {
  throw new Error('database is down')
}

interface Fixture {
  lists: UpstreamLists
  link: UpstreamLink
  /** The upstream's answer per list; a method left out has no handler (Method not found). */
  answers: Partial<Record<ListMethod, Answer>>
  requests: string[]
  logs: string[]
}

const open: Fixture[] = []
afterEach(async () => {
  for (const { lists, link } of open.splice(0)) {
    lists.cancelRetries()
    await link.close()
  }
})

async function upstream(answers: Partial<Record<ListMethod, Answer>>, retries = false): Promise<Fixture> {
  const current = { ...answers }
  const requests: string[] = []
  const server = new Server({ name: 'lists', version: '1.0.0' }, { capabilities: ALL })
  for (const method of Object.keys(answers) as ListMethod[]) {
    server.setRequestHandler(method, async (request) => {
      requests.push(method)
      return (current[method] as Answer)(request.params) as never
    })
  }
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair()
  await server.connect(serverSide)
  const [config] = resolveConfig({
    upstreams: [{ id: 'up', url: 'http://up.invalid/mcp', era: 'legacy' }],
  }).upstreams
  const noop = () => {}
  const link = await openLink(config as UpstreamConfig, clientSide, {
    capabilities: {},
    sessionScoped: false,
    onNotification: noop,
    onClose: noop,
    onConnectionFailure: noop,
  })
  const logs: string[] = []
  const lists = new UpstreamLists({
    upstreamId: 'up',
    logger: recording(logs),
    link: () => link,
    onRetried: noop,
    retries,
  })
  const fixture = { lists, link, answers: current, requests, logs }
  open.push(fixture)
  return fixture
}

function recording(lines: string[]): Logger {
  const record = (level: string) => (message: string) => void lines.push(`${level}: ${message}`)
  return { debug: record('debug'), info: record('info'), warn: record('warn'), error: record('error') }
}

test('readAll reads every list the upstream declares', async () => {
  const { lists, link, logs } = await upstream(LISTED)
  await lists.readAll(link, ALL)
  expect(lists.catalog).toEqual({
    tools: [TOOL],
    resources: [RESOURCE],
    resourceTemplates: [TEMPLATE],
    prompts: [PROMPT],
  })
  expect(logs).toEqual([])
})

test('a list whose capability the upstream did not declare is not asked for', async () => {
  const { lists, link, requests, logs } = await upstream(LISTED)
  await lists.readAll(link, { tools: {} })
  expect(requests).toEqual(['tools/list'])
  expect(lists.catalog.prompts).toEqual([])
  expect(logs).toEqual([])
})

test('lists the upstream does not implement stay empty and are named in one warning', async () => {
  const { lists, link, logs } = await upstream({ 'tools/list': LISTED['tools/list'] })
  await lists.readAll(link, ALL)
  expect(lists.catalog).toEqual({ tools: [TOOL], resources: [], resourceTemplates: [], prompts: [] })
  expect(logs).toEqual([
    "warn: upstream 'up' does not implement resources/list, resources/templates/list, prompts/list " +
      '(Method not found): listed as empty until it reports a change or reconnects',
  ])
})

test('one list that fails leaves the others listed', async () => {
  const { lists, link, logs } = await upstream({ ...LISTED, 'tools/list': fails })
  await lists.readAll(link, ALL)
  expect(lists.catalog).toEqual({
    tools: [],
    resources: [RESOURCE],
    resourceTemplates: [TEMPLATE],
    prompts: [PROMPT],
  })
  expect(logs).toEqual([
    "warn: upstream 'up': tools/list failed (database is down); read again with the next catalog read",
  ])
})

test('a list that fails on a later read keeps what it last listed', async () => {
  const fixture = await upstream(LISTED)
  await fixture.lists.readAll(fixture.link, ALL)
  fixture.answers['tools/list'] = fails
  await fixture.lists.read(fixture.link, ['tools'])
  expect(fixture.lists.catalog.tools).toEqual([TOOL])
})

test('readAll after a reconnect forgets what the last connection listed', async () => {
  const fixture = await upstream(LISTED)
  await fixture.lists.readAll(fixture.link, ALL)
  fixture.answers['tools/list'] = fails
  await fixture.lists.readAll(fixture.link, ALL)
  expect(fixture.lists.catalog.tools).toEqual([])
  expect(fixture.lists.catalog.prompts).toEqual([PROMPT])
})

test('a list that answers Method not found after listing is emptied', async () => {
  const fixture = await upstream(LISTED)
  await fixture.lists.readAll(fixture.link, ALL)
  fixture.answers['prompts/list'] = () => {
    throw new ProtocolError(ProtocolErrorCode.MethodNotFound, 'Method not found')
  }
  await fixture.lists.read(fixture.link, ['prompts'])
  expect(fixture.lists.catalog.prompts).toEqual([])
  expect(fixture.logs).toEqual([expect.stringContaining('does not implement prompts/list')])
})

test("a list is read across all of the upstream's pages", async () => {
  const names = ['a', 'b', 'c', 'd', 'e']
  const { lists, link, requests } = await upstream({
    'tools/list': (params) => {
      const offset = Number(params?.cursor ?? 0)
      const next = offset + 2
      return {
        tools: names.slice(offset, next).map((name) => ({ ...TOOL, name })),
        ...(next < names.length && { nextCursor: String(next) }),
      }
    },
  })
  await lists.readAll(link, { tools: {} })
  expect(lists.catalog.tools.map((tool) => tool.name)).toEqual(names)
  expect(requests).toHaveLength(3)
})

test('an entry clients would reject is left out with a warning, the rest kept', async () => {
  const { lists, link, logs } = await upstream({
    'tools/list': () => ({ tools: [TOOL, { name: 'no-schema' }] }),
  })
  await lists.readAll(link, { tools: {} })
  expect(lists.catalog.tools).toEqual([TOOL])
  expect(logs).toEqual([
    `warn: upstream 'up': tools/list left out an entry that is not a valid tool: {"name":"no-schema"}`,
  ])
})

/** The level and the delay in seconds of each "read again in" line. */
function retryLines(logs: string[]): [string, number][] {
  return logs.map((line) => {
    const match = /^(\w+): .* read again in ([\d.]+) s$/.exec(line)
    if (!match) throw new Error(`not a retry line: ${line}`)
    return [match[1] as string, Number(match[2])]
  })
}

test('with retries, a failed list is read again with a growing backoff, warned about only once', async () => {
  const { lists, link, logs } = await upstream({ 'tools/list': fails }, true)
  await lists.readAll(link, { tools: {} })
  await lists.read(link, ['tools'])
  await lists.read(link, ['tools'])
  const lines = retryLines(logs)
  expect(lines.map(([level]) => level)).toEqual(['warn', 'debug', 'debug'])
  const [first, second, third] = lines.map(([, seconds]) => seconds) as [number, number, number]
  expect(first).toBeWithin(0.1, 0.31)
  expect(second).toBeWithin(0.3, 0.51)
  expect(third).toBeWithin(0.5, 1.01)
})

test('readAll starts the backoff over', async () => {
  const { lists, link, logs } = await upstream({ 'tools/list': fails }, true)
  await lists.readAll(link, { tools: {} })
  await lists.read(link, ['tools'])
  await lists.readAll(link, { tools: {} })
  const [, , again] = retryLines(logs)
  expect(again?.[0]).toBe('warn')
  expect(again?.[1]).toBeWithin(0.1, 0.31)
})

test('a list read successfully starts the backoff over', async () => {
  const fixture = await upstream({ 'tools/list': fails }, true)
  await fixture.lists.readAll(fixture.link, { tools: {} })
  fixture.answers['tools/list'] = LISTED['tools/list']
  await fixture.lists.read(fixture.link, ['tools'])
  fixture.answers['tools/list'] = fails
  await fixture.lists.read(fixture.link, ['tools'])
  expect(retryLines(fixture.logs).map(([level]) => level)).toEqual(['warn', 'warn'])
})

test('a list that fails because the connection closed is kept and not read again', async () => {
  const fixture = await upstream(LISTED, true)
  await fixture.lists.readAll(fixture.link, ALL)
  await fixture.link.close()
  await fixture.lists.read(fixture.link, ['tools', 'prompts'])
  expect(fixture.lists.catalog.tools).toEqual([TOOL])
  expect(fixture.logs).toEqual([])
})

test('clear keeps what was listed as lastKnown and empties the catalog', async () => {
  const { lists, link } = await upstream(LISTED)
  await lists.readAll(link, ALL)
  lists.clear()
  expect(lists.lastKnown.tools).toEqual([TOOL])
  expect(lists.catalog).toEqual({ tools: [], resources: [], resourceTemplates: [], prompts: [] })
})
