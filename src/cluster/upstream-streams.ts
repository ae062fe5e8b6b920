import { unref } from '../unref.ts'

const FIRST_RETRY_MS = 1_000
const LONGEST_RETRY_MS = 60_000

/**
 * While the client's GET stream is on this replica, it tries to hold the GET streams of the
 * upstream sessions the replicas share too, so that what those upstreams send outside calls keeps
 * coming when the replica that held them stops or dies. An upstream allows one such stream per
 * session and refuses another while it is held (by this replica or another): the attempts go on,
 * further apart each time, down to one a minute, for as long as the client's stream is here.
 */
export class UpstreamStreams {
  private timer: ReturnType<typeof setTimeout> | undefined
  private holding = false

  constructor(private readonly hold: () => Promise<void>) {}

  start(): void {
    this.stop()
    this.holding = true
    this.attempt(FIRST_RETRY_MS)
  }

  stop(): void {
    this.holding = false
    clearTimeout(this.timer)
    this.timer = undefined
  }

  private attempt(nextMs: number): void {
    void this.hold()
      .catch(() => {})
      .finally(() => {
        if (!this.holding) return
        this.timer = unref(setTimeout(() => this.attempt(Math.min(nextMs * 2, LONGEST_RETRY_MS)), nextMs))
      })
  }
}
