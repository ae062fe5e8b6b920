/**
 * How many notifications a relay may pass on: bursts up to `burst`, then `perSecond`. Neither the
 * SDK's server transports nor the proxy see a slow client's backpressure, so without a budget a
 * chatty upstream fills the proxy's memory with events queued for a client that cannot keep up.
 */
export class RelayBudget {
  private tokens: number
  private refilledAt = Date.now()

  constructor(
    private readonly burst: number,
    private readonly perSecond: number,
  ) {
    this.tokens = burst
  }

  /** Takes one token if there is one. */
  take(): boolean {
    const now = Date.now()
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.refilledAt) / 1000) * this.perSecond)
    this.refilledAt = now
    if (this.tokens < 1) return false
    this.tokens -= 1
    return true
  }

  /** Milliseconds until the next token. */
  wait(): number {
    return Math.max(0, Math.ceil(((1 - this.tokens) / this.perSecond) * 1000))
  }
}
