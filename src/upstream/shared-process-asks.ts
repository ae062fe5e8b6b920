import { isMoreVerbose } from '../log-levels.ts'
import type { UpstreamLink } from './link.ts'

/**
 * What the client sessions sharing one stdio process asked of it: the resources they subscribed
 * to, counted so the process subscribes for the first session and unsubscribes after the last,
 * and the most verbose log level any of them asked for. A restarted process is asked again.
 */
export class SharedProcessAsks {
  private readonly subscribers = new Map<string, number>()
  private logLevel: string | undefined

  /** Counts one session in or out of a resource; true when the process must be told (first in, last out). */
  count(uri: string, subscribed: boolean): boolean {
    const count = (this.subscribers.get(uri) ?? 0) + (subscribed ? 1 : -1)
    if (count > 0) this.subscribers.set(uri, count)
    else this.subscribers.delete(uri)
    return subscribed ? count === 1 : count === 0
  }

  /** Records a session's log level; true when it is more verbose than any asked so far (the process must be told). */
  raiseLogLevel(level: string): boolean {
    if (!isMoreVerbose(level, this.logLevel)) return false
    this.logLevel = level
    return true
  }

  /** Asks a (re)started process for everything its sessions asked: it knows nothing of it. */
  renew(link: UpstreamLink): void {
    for (const uri of this.subscribers.keys())
      void link.request('resources/subscribe', { uri }).catch(() => {})
    if (this.logLevel) void link.request('logging/setLevel', { level: this.logLevel }).catch(() => {})
  }
}
