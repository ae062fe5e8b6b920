const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'))
const POOL_BYTES = 4096
const ZEROS = { 16: '0'.repeat(16), 32: '0'.repeat(32) }

let pool = ''
let taken = 0

/**
 * Random lowercase hex of `chars` characters, never all zeros (a W3C trace or span id). Random
 * bytes are drawn and hex-encoded 4 KiB at a time: two ids per request made one by one cost
 * more than the rest of a span.
 */
export function randomHex(chars: 16 | 32): string {
  if (taken + chars > pool.length) refill()
  const id = pool.slice(taken, taken + chars)
  taken += chars
  return id === ZEROS[chars] ? randomHex(chars) : id
}

function refill(): void {
  pool = hex(crypto.getRandomValues(new Uint8Array(POOL_BYTES)))
  taken = 0
}

/** Native where the runtime has `Uint8Array.prototype.toHex` (Bun has it, Node 20 not), else a table. */
function hex(bytes: Uint8Array): string {
  const native = (bytes as Uint8Array & { toHex?: () => string }).toHex
  if (native) return native.call(bytes)
  let text = ''
  for (const byte of bytes) text += HEX[byte]
  return text
}
