import { unref } from '../unref.ts'

const FIRST_RETRY_MS = 1_000
const LONGEST_RETRY_MS = 60_000

/**
 * While the client's GET stream is on this replica, it tries to hold the GET streams of the
 * upstream sessions the replicas share too, so that what those upstreams send outside calls keeps
 * coming when the replica that held them stops or dies. An upstream allows one such stream per
 * session and refuses another while it is held (by this replica or another): the attempts go on,
 * further apart each time, down to one a minute, until every one is held here or the client's
 * stream leaves.
 */
export class UpstreamStreams {
  private timer: ReturnType<typeof setTimeout> | undefined
  /** Counts starts and stops: an attempt of an earlier start schedules nothing. */
  private generation = 0

  /** `hold` resolves to whether every stream is now held here. */
  constructor(private readonly hold: () => Promise<boolean>) {}

  start(): void {
    this.stop()
    this.attempt(this.generation, FIRST_RETRY_MS)
  }

  stop(): void {
    this.generation++
    clearTimeout(this.timer)
    this.timer = undefined
  }

  private attempt(generation: number, nextMs: number): void {
    void this.hold()
      .catch(() => false)
      .then((held) => {
        if (held || generation !== this.generation) return
        const next = () => this.attempt(generation, Math.min(nextMs * 2, LONGEST_RETRY_MS))
        this.timer = unref(setTimeout(next, nextMs))
      })
  }
}
