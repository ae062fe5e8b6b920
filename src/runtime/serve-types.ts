/** A fetch handler that also learns the client's socket address from the adapter. */
export type ServeHandler = (
  request: Request,
  clientAddress: string | undefined,
) => Response | Promise<Response>

export interface ServeOptions {
  fetch: ServeHandler
  port: number
  hostname: string
}

export interface RunningServer {
  /** The port actually bound (useful with port 0). */
  readonly port: number
  /** Stops accepting connections and closes open ones. */
  stop(): Promise<void>
}
