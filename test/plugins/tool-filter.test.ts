import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { toolFilterPlugin } from '../../src/index.ts'
import { globMatcher } from '../../src/plugins/glob.ts'
import { servePoisonedHttp } from '../fixtures/poisoned-server.ts'
import { type RunningFixture, serveV1Http } from '../fixtures/v1-server.ts'
import { connectClient } from '../helpers/clients.ts'
import { startProxy, type TestProxy } from '../helpers/start-proxy.ts'

const eras = ['legacy', 'modern'] as const

let alpha: RunningFixture
let poisoned: RunningFixture
beforeAll(() => {
  alpha = serveV1Http({ name: 'alpha' })
  poisoned = servePoisonedHttp()
})
afterAll(async () => {
  await alpha.close()
  await poisoned.close()
})

describe('allow, deny, rename and descriptions', () => {
  let proxy: TestProxy
  beforeAll(async () => {
    proxy = await startProxy({
      upstreams: [{ id: 'alpha', url: alpha.url }],
      plugins: [
        toolFilterPlugin({
          allow: ['e?ho', 'alpha_*', 'fa*', 'progress', 'wait'],
          deny: ['fail', 'w*'],
          rename: { echo: 'say', progress: 'steps' },
          descriptions: { say: 'Says the text back.' },
        }),
      ],
    })
  })
  afterAll(() => proxy.stop())

  test.each(eras)('shape the list (%s era)', async (era) => {
    const client = await connectClient(proxy.url, { era })
    const tools = (await client.listTools()).tools
    expect(tools.map((tool) => tool.name).sort()).toEqual(['alpha_only', 'say', 'steps'])
    expect(tools.find((tool) => tool.name === 'say')?.description).toBe('Says the text back.')
    expect(tools.find((tool) => tool.name === 'steps')?.description).toBe('Reports progress, then finishes')
    await client.close()
  })

  test.each(eras)('and calls obey them: new names reach the original tools (%s era)', async (era) => {
    const client = await connectClient(proxy.url, { era })
    expect((await client.callTool({ name: 'say', arguments: { text: 'hi' } })).content).toEqual([
      { type: 'text', text: 'alpha:hi' },
    ])
    expect((await client.callTool({ name: 'steps', arguments: { steps: 2 } })).content).toEqual([
      { type: 'text', text: 'done after 2 steps' },
    ])
    await client.close()
  })

  test.each(eras)('a denied, unlisted or renamed-away tool is an unknown tool (%s era)', async (era) => {
    const client = await connectClient(proxy.url, { era })
    for (const name of ['fail', 'wait', 'log', 'echo', 'progress']) {
      const failure = await client
        .callTool({ name, arguments: { text: 'x', ms: 1, steps: 1 } })
        .catch((e) => e)
      expect(failure.message).toContain(`Unknown tool: ${name}`)
    }
    await client.close()
  })
})

describe('sanitizeDescriptions', () => {
  let proxy: TestProxy
  beforeAll(async () => {
    proxy = await startProxy({
      upstreams: [{ id: 'poisoned', url: poisoned.url }],
      plugins: [
        toolFilterPlugin({ sanitizeDescriptions: true, descriptions: { notes: 'Saves a <b>note</b>.' } }),
      ],
    })
  })
  afterAll(() => proxy.stop())

  test.each(eras)(
    'cleans tool and input-schema descriptions from a poisoned upstream (%s era)',
    async (era) => {
      const client = await connectClient(proxy.url, { era })
      const tools = Object.fromEntries((await client.listTools()).tools.map((tool) => [tool.name, tool]))
      expect(tools.add?.description).toBe('Adds two numbers.')
      expect(tools.weather?.description).toBe('Gets the weather for a city. Results are in Celsius.')
      expect(tools.search?.description).toBe('Searches the web. Returns links.')
      expect(tools.add?.inputSchema.properties).toMatchObject({
        a: { description: 'The first number' },
        sidenote: { description: 'Optional.' },
      })
      // A replacement description is the operator's own text: not sanitized.
      expect(tools.notes?.description).toBe('Saves a <b>note</b>.')
      expect((await client.callTool({ name: 'add', arguments: { a: 2, b: 3 } })).content).toEqual([
        { type: 'text', text: '5' },
      ])
      await client.close()
    },
  )
})

test.each([
  ['read_*', 'read_file', true],
  ['read_*', 'read_', true],
  ['read_*', 'xread_file', false],
  ['read_?ile', 'read_file', true],
  ['read_?ile', 'read_ffile', false],
  ['github.create', 'githubXcreate', false],
  ['a+b(c)', 'a+b(c)', true],
  ['exact', 'exact', true],
  ['exact', 'exactly', false],
])('glob %p matches %p: %p', (pattern, name, matches) => {
  expect(globMatcher([pattern])(name)).toBe(matches)
})

test('two tools renamed to one name is a configuration error', () => {
  expect(() => toolFilterPlugin({ rename: { a: 'c', b: 'c' } })).toThrow("two tools are renamed to 'c'")
})
