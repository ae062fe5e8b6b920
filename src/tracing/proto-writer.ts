const TWO_32 = 4_294_967_296
const ASCII = 0x80
/** 1e9 modulo 2^16. */
const BILLION_LOW16 = 1e9 % 65_536

/**
 * A protobuf wire-format writer over one growing buffer. A length-delimited field reserves one
 * byte for its length and moves its content along when the length needs more.
 */
export class ProtoWriter {
  private buffer: Uint8Array
  private view: DataView
  private encoder: TextEncoder | undefined
  pos: number

  /**
   * `buffer`: where to write, big enough that it seldom grows (it is replaced when it must);
   * `start`: the bytes before it are left for the caller.
   */
  constructor(
    buffer: Uint8Array,
    private readonly start = 0,
  ) {
    this.buffer = buffer
    this.view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength)
    this.pos = start
  }

  /** What was written: a view of the buffer, which the next writes would change. */
  written(): Uint8Array {
    return this.buffer.subarray(this.start, this.pos)
  }

  /** Writes again from the start, over what was written. */
  restart(): void {
    this.pos = this.start
  }

  tag(field: number, wireType: 0 | 1 | 2 | 5): void {
    this.varint((field << 3) | wireType)
  }

  /** A non-negative integer up to 2^53. */
  varint(value: number): void {
    this.room(10)
    let rest = value
    while (rest >= ASCII) {
      this.buffer[this.pos++] = (rest % ASCII) | ASCII
      rest = Math.floor(rest / ASCII)
    }
    this.buffer[this.pos++] = rest
  }

  fixed32(value: number): void {
    this.room(4)
    this.view.setUint32(this.pos, value, true)
    this.pos += 4
  }

  double(value: number): void {
    this.room(8)
    this.view.setFloat64(this.pos, value, true)
    this.pos += 8
  }

  /**
   * Nanoseconds since the epoch of a time given as whole seconds and nanoseconds, as a fixed64.
   * The sum passes 2^53, so it is built from 16-bit pieces of the seconds, in integer steps (no `%`).
   */
  nanos(seconds: number, nanos: number): void {
    const secondsLow = seconds & 0xffff
    const secondsHigh = (seconds - secondsLow) / 65_536
    // seconds × 1e9 + nanos = secondsHigh × 1e9 × 2^16 + (secondsLow × 1e9 + nanos)
    const low = secondsLow * 1e9 + nanos
    const high = secondsHigh * 1e9
    const highLow = (secondsHigh * BILLION_LOW16) & 0xffff
    const lowWord = highLow * 65_536 + low
    const lowBits = lowWord >>> 0
    this.room(8)
    this.view.setUint32(this.pos, lowBits, true)
    this.view.setUint32(this.pos + 4, (high - highLow) / 65_536 + (lowWord - lowBits) / TWO_32, true)
    this.pos += 8
  }

  string(text: string): void {
    if (!this.ascii(text)) this.encoded(text)
  }

  /** Writes `text` if it is short ASCII, the usual case, with no encoder; says whether it did. */
  private ascii(text: string): boolean {
    const { length } = text
    if (length >= ASCII) return false
    this.room(length + 1)
    const start = this.pos
    this.buffer[this.pos++] = length
    for (let i = 0; i < length; i++) {
      const code = text.charCodeAt(i)
      if (code >= ASCII) {
        this.pos = start
        return false
      }
      this.buffer[this.pos++] = code
    }
    return true
  }

  /** Bytes already in the wire format. */
  raw(bytes: Uint8Array): void {
    this.room(bytes.length)
    this.buffer.set(bytes, this.pos)
    this.pos += bytes.length
  }

  /** Hex digits (a trace or span id) as bytes. */
  hexBytes(hex: string): void {
    const length = hex.length >> 1
    this.room(length + 1)
    this.buffer[this.pos++] = length
    for (let i = 0; i < hex.length; i += 2)
      this.buffer[this.pos++] =
        ((HEX_VALUES[hex.charCodeAt(i)] as number) << 4) | (HEX_VALUES[hex.charCodeAt(i + 1)] as number)
  }

  /** Opens a length-delimited field; `end` with what this returns closes it. */
  begin(field: number): number {
    this.tag(field, 2)
    this.room(1)
    return this.pos++
  }

  end(lengthAt: number): void {
    const length = this.pos - lengthAt - 1
    if (length < ASCII) {
      this.buffer[lengthAt] = length
      return
    }
    const size = varintSize(length)
    this.room(size - 1)
    this.buffer.copyWithin(lengthAt + size, lengthAt + 1, this.pos)
    this.pos += size - 1
    const end = this.pos
    this.pos = lengthAt
    this.varint(length)
    this.pos = end
  }

  private encoded(text: string): void {
    this.encoder ??= new TextEncoder()
    const bytes = this.encoder.encode(text)
    this.varint(bytes.length)
    this.room(bytes.length)
    this.buffer.set(bytes, this.pos)
    this.pos += bytes.length
  }

  private room(bytes: number): void {
    if (this.pos + bytes <= this.buffer.length) return
    const grown = new Uint8Array(Math.max(this.buffer.length * 2, this.pos + bytes))
    grown.set(this.buffer.subarray(0, this.pos))
    this.buffer = grown
    this.view = new DataView(grown.buffer)
  }
}

/** The value of each hex digit, by character code. */
const HEX_VALUES = new Uint8Array(128)
for (let digit = 0; digit < 16; digit++) {
  const text = digit.toString(16)
  HEX_VALUES[text.charCodeAt(0)] = digit
  HEX_VALUES[text.toUpperCase().charCodeAt(0)] = digit
}

export function varintSize(value: number): number {
  let size = 1
  for (let rest = value; rest >= ASCII; rest = Math.floor(rest / ASCII)) size++
  return size
}
