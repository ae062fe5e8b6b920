import type { Notification } from '@modelcontextprotocol/client'
import type { Server } from '@modelcontextprotocol/server'
import { RelayBudget } from '../forward/relay-budget.ts'
import { admits } from '../log-levels.ts'
import type { JsonObject } from '../upstream/link.ts'

/** Notifications an upstream session sends that the proxy relays to its client as they are. */
const RELAYED = new Set(['notifications/resources/updated', 'notifications/elicitation/complete'])

/**
 * What an upstream tells one session's client: resource updates and elicitation completions as
 * they are, log messages at the client's level and within a budget, named by upstream.
 */
export class NotificationRelay {
  private readonly logBudget = new RelayBudget(200, 100)
  private droppedLogs = 0

  constructor(
    private readonly server: Server,
    private readonly logLevel: () => string | undefined,
  ) {}

  relay(upstreamId: string, notification: Notification): void {
    if (notification.method === 'notifications/message') this.log(upstreamId, notification)
    else if (RELAYED.has(notification.method) || !notification.method.startsWith('notifications/')) {
      void this.server.notification(notification as never).catch(() => {})
    }
  }

  private log(upstreamId: string, notification: Notification): void {
    const params = (notification.params ?? {}) as JsonObject
    // An upstream without logging/setLevel logs at every level: the client's level is kept here.
    if (!admits(this.logLevel(), params.level)) return
    // Log messages are the one thing an upstream may send without bound: past the budget they
    // are counted, and the count is told once the budget allows.
    if (!this.logBudget.take()) return void this.droppedLogs++
    const dropped = this.droppedLogs
    this.droppedLogs = 0
    const data = dropped ? { dropped, message: params.data } : params.data
    void this.server
      .notification({ ...notification, params: { logger: upstreamId, ...params, data } } as never)
      .catch(() => {})
  }
}
