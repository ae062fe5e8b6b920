import { describe, expect, test } from 'bun:test'
import { ProtoWriter } from '../../../src/tracing/proto-writer.ts'

function written(write: (writer: ProtoWriter) => void): Uint8Array {
  const writer = new ProtoWriter(new Uint8Array(4))
  write(writer)
  return writer.written()
}

function fixed64(value: bigint): Uint8Array {
  const bytes = new Uint8Array(8)
  new DataView(bytes.buffer).setBigUint64(0, value, true)
  return bytes
}

describe('ProtoWriter', () => {
  test('nanos writes seconds × 1e9 + nanos exactly, past 2^53 and past 2^32 seconds', () => {
    const times: [number, number][] = [
      [0, 0],
      [1, 999_999_999],
      [1_765_000_000, 123_456_789],
      [2 ** 31, 1],
      [2 ** 32 - 1, 999_999_999],
      [2 ** 33 + 12_345, 500_000_000],
    ]
    // A fixed sequence (a linear congruential generator), so a failure can be run again.
    let state = 12_345
    const next = () => {
      state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0
      return state / 2 ** 32
    }
    for (let i = 0; i < 1000; i++)
      times.push([Math.floor(next() * 4) * 2 ** 32 + Math.floor(next() * 2 ** 32), Math.floor(next() * 1e9)])
    for (const [seconds, nanos] of times)
      expect(written((writer) => writer.nanos(seconds, nanos))).toEqual(
        fixed64(BigInt(seconds) * 1_000_000_000n + BigInt(nanos)),
      )
  })

  test('hexBytes reads either case', () => {
    expect([...written((writer) => writer.hexBytes('00fFa9C3'))]).toEqual([4, 0x00, 0xff, 0xa9, 0xc3])
  })
})
