const encoder = new TextEncoder()

/**
 * Compares two byte strings in time that depends only on `expected`'s length: every byte is
 * XORed, nothing exits early, and a length difference is folded into the result rather than
 * returned on. A shorter `actual` is read as zero-padded, so the loop never changes length.
 *
 * @example
 * ```ts
 * constantTimeEqual(encode(presented), encode(configured)) // true only for identical bytes
 * ```
 */
export function constantTimeEqual(actual: Uint8Array, expected: Uint8Array): boolean {
  let difference = actual.length ^ expected.length
  for (let index = 0; index < expected.length; index++) {
    difference |= (actual[index] ?? 0) ^ (expected[index] as number)
  }
  return difference === 0
}

/** UTF-8 bytes of a string, for {@link constantTimeEqual}. */
export function encode(text: string): Uint8Array {
  return encoder.encode(text)
}
