import type { ServerContext } from '@modelcontextprotocol/server'
import type { JsonObject } from '../upstream/link.ts'
import { RelayBudget } from './relay-budget.ts'

export interface ProgressRelay {
  onprogress(progress: JsonObject): void
  /** Resolves once every relayed notification is out: the result must not overtake them. */
  sent(): Promise<void>
}

/**
 * Relays upstream progress to the client under the client's own token, in order; past the budget
 * (a flooding upstream, a slow client) only the latest is kept, and it goes out before the result.
 */
export function relayProgress(progressToken: unknown, ctx: ServerContext): ProgressRelay | undefined {
  if (progressToken === undefined) return undefined
  const budget = new RelayBudget(100, 50)
  let queue = Promise.resolve()
  let held: JsonObject | undefined
  let timer: ReturnType<typeof setTimeout> | undefined
  const send = (progress: JsonObject) => {
    const notification = { method: 'notifications/progress', params: { ...progress, progressToken } } as never
    queue = queue.then(() => ctx.mcpReq.notify(notification)).catch(() => {})
  }
  const release = () => {
    timer = undefined
    if (held) send(held)
    held = undefined
  }
  return {
    onprogress: (progress) => {
      if (!timer && budget.take()) return send(progress)
      held = progress
      timer ??= setTimeout(release, budget.wait())
    },
    sent: () => {
      clearTimeout(timer)
      release()
      return queue
    },
  }
}
