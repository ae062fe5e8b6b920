import { expect, test } from 'bun:test'
import { type ScopedSearch, ToolIndex } from '../../../src/aggregate/tool-index.ts'

const TOOLS = [
  {
    name: 'list_directory',
    description:
      'Get a detailed listing of all files and directories in a specified path. Use it to explore.',
    inputSchema: { type: 'object', properties: { path: { type: 'string' } } },
  },
  {
    name: 'readTextFile',
    description: 'Read the complete contents of a file from the file system as text.',
    inputSchema: { type: 'object', properties: { path: { type: 'string' }, head: { type: 'number' } } },
  },
  {
    name: 'create_issue',
    description: 'Opens a new issue in a repository.',
    inputSchema: {
      type: 'object',
      properties: { labels: { type: 'array', description: 'Labels such as bug or enhancement' } },
    },
  },
  { name: 'ping', inputSchema: { type: 'object' } },
]

const names = (search: ScopedSearch, query: string, limit = 3) =>
  search.find(query, limit).map((tool) => tool.name)
const searchOver = (tools: typeof TOOLS) => new ToolIndex().scope(tools)

test('words in snake_case and camelCase names are found, whatever their endings', async () => {
  const index = await searchOver(TOOLS)
  expect(names(index, 'listing directories')[0]).toBe('list_directory')
  expect(names(index, 'reading text')[0]).toBe('readTextFile')
})

test('a query word finds a tool that uses a synonym of it', async () => {
  expect(names(await searchOver(TOOLS), 'what is in this folder')[0]).toBe('list_directory')
})

test('parameter descriptions count, stop words do not, and the limit holds', async () => {
  const index = await searchOver(TOOLS)
  expect(names(index, 'enhancement')).toEqual(['create_issue'])
  expect(names(index, 'the of to a')).toEqual([])
  expect(names(index, 'file directory path', 1)).toHaveLength(1)
})

test('a tool with no description is still found by its name, and is returned whole', async () => {
  expect((await searchOver(TOOLS)).find('ping', 1)).toEqual([
    { name: 'ping', inputSchema: { type: 'object' } },
  ])
})

test('one index serves every view: each finds only its own tools, as it names them, and a shared tool is indexed once', async () => {
  const index = new ToolIndex()
  const [directory, readFile, issue] = TOOLS as [(typeof TOOLS)[0], (typeof TOOLS)[0], (typeof TOOLS)[0]]
  const renamed = { ...directory, name: 'ls' }
  const alice = await index.scope([directory, readFile])
  const bob = await index.scope([renamed, issue])
  const carol = await index.scope([{ ...readFile }])
  expect(names(alice, 'file')).toEqual(['readTextFile', 'list_directory'])
  expect(names(bob, 'file')).toEqual(['ls'])
  expect(names(bob, 'read the contents of a file')).not.toContain('readTextFile')
  expect(names(alice, 'enhancement')).toEqual([])
  expect(carol.find('read text', 1)[0]).not.toBe(readFile)
  expect(names(carol, 'read text')).toEqual(['readTextFile'])
  expect((index as unknown as { ids: Map<string, number> }).ids.size).toBe(4)
})

test('a large catalog is indexed a chunk at a time: other work runs while it is', async () => {
  const tools = Array.from({ length: 3_000 }, (_, i) => ({
    name: `tool_${i}`,
    description: `Does task number ${i} of the kind ${i % 7 ? 'fetch' : 'store'}.`,
    inputSchema: { type: 'object' },
  }))
  let ticks = 0
  const ticking = setInterval(() => ticks++, 0)
  const search = await new ToolIndex().scope(tools)
  clearInterval(ticking)
  expect(ticks).toBeGreaterThan(3)
  expect(names(search, 'task 2999')[0]).toBe('tool_2999')
})

test('a word the query has counts more than a synonym of it', async () => {
  const search = await searchOver([
    {
      name: 'list_directory',
      description: 'Directory listing: each directory entry of a directory.',
      inputSchema: {},
    },
    { name: 'folder_info', description: 'Facts about one thing.', inputSchema: {} },
  ] as unknown as typeof TOOLS)
  expect(names(search, 'folder')).toEqual(['folder_info', 'list_directory'])
})

test('a URL in the query asks for a tool about URLs, a file name for one about files', async () => {
  const search = await searchOver([
    { name: 'fetch', description: 'Fetches a URL.', inputSchema: {} },
    { name: 'read', description: 'Reads a file.', inputSchema: {} },
    { name: 'ping', description: 'Checks that the server is alive.', inputSchema: {} },
  ] as unknown as typeof TOOLS)
  expect(names(search, 'what is at https://example.com/a?', 1)).toEqual(['fetch'])
  expect(names(search, 'show me src/notes.md', 1)).toEqual(['read'])
})

test('a word whose lower case has a combining mark is still found whole', async () => {
  const search = await searchOver([
    { name: 'İstanbul_weather', description: 'The weather in one city.', inputSchema: {} },
  ] as unknown as typeof TOOLS)
  expect(names(search, 'İstanbul')).toEqual(['İstanbul_weather'])
})
