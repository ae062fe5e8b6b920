/**
 * The client IP a limit applies to: the socket address, or with `trustProxy` the address the
 * trusted proxy in front recorded in `X-Forwarded-For` (counting `hops` entries from the right,
 * since entries further left are whatever the client chose to send).
 */
export function clientAddress(
  request: Request,
  socketAddress: string | undefined,
  hops: number,
): string | undefined {
  if (hops === 0) return socketAddress
  const forwarded = (request.headers.get('x-forwarded-for') ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
  return withoutPort(forwarded[Math.max(0, forwarded.length - hops)]) ?? socketAddress
}

function withoutPort(entry: string | undefined): string | undefined {
  if (entry === undefined) return undefined
  const bracketed = entry.match(/^\[([^\]]+)\](?::\d+)?$/)
  if (bracketed) return bracketed[1]
  return /^[\d.]+:\d+$/.test(entry) ? entry.slice(0, entry.lastIndexOf(':')) : entry
}

/**
 * The network a client address is limited as: IPv4 addresses (and IPv4-mapped IPv6) as they are,
 * IPv6 addresses by their `/subnet` prefix, since one IPv6 client usually holds a whole /64.
 */
export function addressNetwork(address: string, subnet: number): string {
  const mapped = address.match(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/i)
  if (mapped) return mapped[1] as string
  if (!address.includes(':')) return address
  const groups = expandIpv6(address.replace(/%.*$/, ''))
  if (!groups || subnet >= 128) return address.toLowerCase()
  const bits = groups.map((group) => group.toString(2).padStart(16, '0')).join('')
  const prefix = bits.slice(0, subnet).padEnd(128, '0')
  const network = Array.from({ length: 8 }, (_, index) =>
    Number.parseInt(prefix.slice(index * 16, index * 16 + 16), 2).toString(16),
  )
  return `${network.join(':')}/${subnet}`
}

/** The eight 16-bit groups of an IPv6 address, or undefined if it is not one we can read. */
function expandIpv6(address: string): number[] | undefined {
  const halves = address.split('::')
  if (halves.length > 2) return undefined
  const [head, tail] = halves.map((half) => (half ? half.split(':') : []))
  const missing = 8 - (head?.length ?? 0) - (tail?.length ?? 0)
  if (tail === undefined ? missing !== 0 : missing < 1) return undefined
  const groups = [...(head ?? []), ...Array<string>(tail ? missing : 0).fill('0'), ...(tail ?? [])]
  if (!groups.every((group) => /^[\da-f]{1,4}$/i.test(group))) return undefined
  return groups.map((group) => Number.parseInt(group, 16))
}
