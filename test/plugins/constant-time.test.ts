import { expect, test } from 'bun:test'
import { constantTimeEqual, encode } from '../../src/plugins/auth/constant-time.ts'

test.each([
  ['identical keys', 'sk-secret', 'sk-secret', true],
  ['empty and empty', '', '', true],
  ['a different last byte', 'sk-secreT', 'sk-secret', false],
  ['a different first byte', 'Sk-secret', 'sk-secret', false],
  ['a prefix of the key', 'sk-secre', 'sk-secret', false],
  ['the key plus a byte', 'sk-secret!', 'sk-secret', false],
  ['an empty guess', '', 'sk-secret', false],
  ['multi-byte characters', 'clé-ü', 'clé-ü', true],
  ['look-alike characters', 'cle-u', 'clé-ü', false],
])('%s: %p vs %p is %p', (_what, actual, expected, equal) => {
  expect(constantTimeEqual(encode(actual), encode(expected))).toBe(equal)
})

test('a guess that differs only in length, padded with zero bytes, is still unequal', () => {
  expect(constantTimeEqual(new Uint8Array([1, 2, 0]), new Uint8Array([1, 2]))).toBe(false)
  expect(constantTimeEqual(new Uint8Array([1, 2]), new Uint8Array([1, 2, 0]))).toBe(false)
})

/** A byte array that records which indexes are read. */
function watched(bytes: Uint8Array): { bytes: Uint8Array; reads: number[] } {
  const reads: number[] = []
  const proxy = new Proxy(bytes, {
    get(target, key) {
      if (typeof key === 'string' && /^\d+$/.test(key)) reads.push(Number(key))
      return Reflect.get(target, key)
    },
  })
  return { bytes: proxy, reads }
}

test.each([
  ['the first byte differs', 'Xk-secret-key'],
  ['the last byte differs', 'sk-secret-keX'],
  ['nothing differs', 'sk-secret-key'],
  ['the guess is shorter', 'sk'],
  ['the guess is longer', 'sk-secret-key-and-more'],
])('no early exit: every byte of the key is compared when %s', (_when, guess) => {
  const key = watched(encode('sk-secret-key'))
  const actual = watched(encode(guess))
  constantTimeEqual(actual.bytes, key.bytes)
  const everyIndex = [...Array(13).keys()]
  expect(key.reads).toEqual(everyIndex)
  expect(actual.reads).toEqual(everyIndex)
})
