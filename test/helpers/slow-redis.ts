import type { Socket } from 'bun'

/** A SUBSCRIBE command (not UNSUBSCRIBE), in RESP, however the client spells it. */
const SUBSCRIBE = /\r\nsubscribe\r\n/i

interface Hop {
  upstream?: Socket<undefined>
  /** What the client sent, in order: a held SUBSCRIBE holds what follows it too. */
  chain: Promise<void>
}

/**
 * A loopback TCP hop in front of Redis that holds every client packet carrying a SUBSCRIBE for
 * `delayMs`, as a slow network would: a replica behind it joins channels late.
 */
export function delayingSubscribes(redisUrl: string, delayMs: number) {
  const { hostname, port } = new URL(redisUrl)
  const server = Bun.listen<Hop>({
    hostname: '127.0.0.1',
    port: 0,
    socket: {
      open(client) {
        const connecting = Bun.connect({
          hostname,
          port: Number(port),
          socket: {
            data: (_, chunk) => void client.write(chunk),
            close: () => void client.end(),
          },
        })
        client.data = {
          chain: connecting.then((upstream) => {
            client.data.upstream = upstream
          }),
        }
      },
      data(client, chunk) {
        const copy = new Uint8Array(chunk)
        const held = SUBSCRIBE.test(new TextDecoder().decode(copy))
        client.data.chain = client.data.chain.then(async () => {
          if (held) await Bun.sleep(delayMs)
          client.data.upstream?.write(copy)
        })
      },
      close(client) {
        void client.data.chain.then(() => client.data.upstream?.end())
      },
    },
  })
  return { url: `redis://127.0.0.1:${server.port}`, stop: () => server.stop(true) }
}
