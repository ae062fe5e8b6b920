import { unref } from '../unref.ts'

/**
 * Tells of spans lost on the way to the collector without a line per batch: the first loss at
 * once, then what was lost since, at most once a minute, and what is left untold at `flush`.
 */
export class LossReport {
  private lost = 0
  private reason = ''
  private quietUntil = 0
  private timer: ReturnType<typeof setTimeout> | undefined

  constructor(
    private readonly warn: (message: string) => void,
    private readonly everyMs = 60_000,
  ) {}

  readonly add = (spans: number, why: string): void => {
    this.lost += spans
    this.reason = why
    if (Date.now() >= this.quietUntil) this.flush()
    else if (!this.timer) this.timer = unref(setTimeout(this.flush, this.quietUntil - Date.now()))
  }

  readonly flush = (): void => {
    clearTimeout(this.timer)
    this.timer = undefined
    if (this.lost === 0) return
    this.quietUntil = Date.now() + this.everyMs
    this.warn(`tracing: ${this.lost} spans were not exported (${this.reason})`)
    this.lost = 0
  }
}
