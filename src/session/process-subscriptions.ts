import type { Notification } from '@modelcontextprotocol/client'
import type { Upstream } from '../upstream/upstream.ts'

/**
 * The resources one session subscribed to on processes it shares with other sessions: the process
 * is told only of the first subscription and the last unsubscription (the upstream counts them),
 * and its notifications reach the sessions they concern.
 */
export class ProcessSubscriptions {
  private readonly byUpstream = new Map<Upstream, Set<string>>()

  /** Counts a (un)subscription; true when the process must be told. */
  count(upstream: Upstream, uri: string, subscribed: boolean): boolean {
    const mine = this.byUpstream.get(upstream) ?? new Set<string>()
    this.byUpstream.set(upstream, mine)
    if (mine.has(uri) === subscribed) return false
    if (subscribed) mine.add(uri)
    else mine.delete(uri)
    return upstream.asks.count(uri, subscribed)
  }

  /** Whether a notification of the process concerns this session: a resource it subscribed to, a log message. */
  concerns(upstream: Upstream, notification: Notification): boolean {
    if (notification.method === 'notifications/message') return true
    if (notification.method !== 'notifications/resources/updated') return false
    const uri = (notification.params as { uri?: unknown } | undefined)?.uri
    return this.byUpstream.get(upstream)?.has(String(uri)) ?? false
  }

  /** The session's subscriptions, on `upstream` or on every process, as [upstream, uri]. */
  held(upstream?: Upstream): [Upstream, string][] {
    const upstreams = upstream ? [upstream] : [...this.byUpstream.keys()]
    return upstreams.flatMap((each) =>
      [...(this.byUpstream.get(each) ?? [])].map((uri): [Upstream, string] => [each, uri]),
    )
  }
}
