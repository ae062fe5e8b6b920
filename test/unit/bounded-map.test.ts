import { expect, test } from 'bun:test'
import { BoundedMap } from '../../src/bounded-map.ts'

test('past its limit the least recently set key goes; setting a key again makes it the newest', () => {
  const map = new BoundedMap<string, number>(2)
  map.set('a', 1).set('b', 2)
  map.set('a', 3)
  map.set('c', 4)
  expect([...map]).toEqual([
    ['a', 3],
    ['c', 4],
  ])
})
