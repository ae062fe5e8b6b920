import { expect, test } from 'bun:test'
import { ToolIndex } from '../../../src/aggregate/tool-index.ts'

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

const names = (index: ToolIndex, query: string, limit = 3) =>
  index.find(query, limit).map((tool) => tool.name)

test('words in snake_case and camelCase names are found, whatever their endings', () => {
  const index = new ToolIndex(TOOLS)
  expect(names(index, 'listing directories')[0]).toBe('list_directory')
  expect(names(index, 'reading text')[0]).toBe('readTextFile')
})

test('a query word finds a tool that uses a synonym of it', () => {
  expect(names(new ToolIndex(TOOLS), 'what is in this folder')[0]).toBe('list_directory')
})

test('parameter descriptions count, stop words do not, and the limit holds', () => {
  const index = new ToolIndex(TOOLS)
  expect(names(index, 'enhancement')).toEqual(['create_issue'])
  expect(names(index, 'the of to a')).toEqual([])
  expect(names(index, 'file directory path', 1)).toHaveLength(1)
})

test('a tool with no description is still found by its name, and is returned whole', () => {
  expect(new ToolIndex(TOOLS).find('ping', 1)).toEqual([{ name: 'ping', inputSchema: { type: 'object' } }])
})
