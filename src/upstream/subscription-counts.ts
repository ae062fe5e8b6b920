/**
 * Which resource URIs client sessions subscribed to on a connection they share, and how many
 * sessions each: the upstream is asked to subscribe for the first and to unsubscribe after the last.
 */
export class SubscriptionCounts {
  private readonly counts = new Map<string, number>()

  /** Counts one more subscriber; true when it is the first. */
  add(uri: string): boolean {
    const count = (this.counts.get(uri) ?? 0) + 1
    this.counts.set(uri, count)
    return count === 1
  }

  /** Counts one subscriber less; true when it was the last. */
  remove(uri: string): boolean {
    const count = (this.counts.get(uri) ?? 0) - 1
    if (count > 0) this.counts.set(uri, count)
    else this.counts.delete(uri)
    return count === 0
  }

  uris(): string[] {
    return [...this.counts.keys()]
  }
}
