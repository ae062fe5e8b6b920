import { expect, test } from 'bun:test'
import { ProtocolError } from '@modelcontextprotocol/server'
import { paginate } from '../../../src/aggregate/paginate.ts'

const items = Array.from({ length: 7 }, (_, index) => index)

function errorOf(run: () => unknown): { code: number; message: string } | undefined {
  try {
    run()
    return undefined
  } catch (error) {
    if (!(error instanceof ProtocolError)) throw error
    return { code: error.code, message: error.message }
  }
}

function walk(list: number[], pageSize: number): number[][] {
  const pages: number[][] = []
  let cursor: string | undefined
  do {
    const { page, nextCursor } = paginate(list, cursor, pageSize)
    pages.push(page)
    cursor = nextCursor
  } while (cursor !== undefined)
  return pages
}

test.each([
  [3, [[0, 1, 2], [3, 4, 5], [6]]],
  [7, [[0, 1, 2, 3, 4, 5, 6]]],
  [100, [[0, 1, 2, 3, 4, 5, 6]]],
  [1, [[0], [1], [2], [3], [4], [5], [6]]],
])('page size %p walks the list in order, each item once', (pageSize, pages) => {
  expect(walk(items, pageSize)).toEqual(pages)
})

test('a last page that is exactly full carries no nextCursor', () => {
  const first = paginate([1, 2, 3, 4], undefined, 2)
  expect(first.nextCursor).toBeString()
  expect(paginate([1, 2, 3, 4], first.nextCursor, 2)).toEqual({ page: [3, 4] })
})

test('an empty list is one empty page without a cursor', () => {
  expect(paginate([], undefined, 10)).toEqual({ page: [] })
})

test('a cursor past the end of a list that shrank gives an empty last page', () => {
  const { nextCursor } = paginate(items, undefined, 5)
  expect(paginate([0, 1], nextCursor, 5)).toEqual({ page: [] })
})

test('the cursor carries only an offset: it continues any list at the same position', () => {
  const { nextCursor } = paginate(items, undefined, 2)
  expect(paginate(['a', 'b', 'c'], nextCursor, 2)).toEqual({ page: ['c'] })
})

test.each([
  ['not Base64', '***'],
  ['Base64 of another format', btoa('offset=2')],
  ['a negative offset', btoa('o:-1')],
  ['a fractional offset', btoa('o:1.5')],
  ['trailing text', btoa('o:2x')],
  ['the empty string', ''],
  ['a number', 2],
  ['null', null],
  ['an object', { offset: 2 }],
])('a cursor that is %s is refused with -32602 Invalid cursor', (_what, cursor) => {
  expect(errorOf(() => paginate(items, cursor, 3))).toEqual({ code: -32602, message: 'Invalid cursor' })
})
