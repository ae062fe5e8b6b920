import { errorResponse, type ProxyError, proxyErrors } from '../errors.ts'
import type { ProxyMetrics } from '../metrics/proxy-metrics.ts'
import { unref } from '../unref.ts'
import type { SessionClient, SessionHost, StatefulSession } from './stateful-session.ts'

export interface SessionLimitOptions {
  maxSessions: number
  maxSessionsPerClient: number
  sessionIdleTimeoutMs: number
  maxCallsPerSession: number
}

/** Where a front end opens sessions: the limits' say, and the host each session reports to. */
export interface SessionGate extends SessionHost {
  /** The refusal for a session the limits do not allow, or undefined when it may open. */
  admit(client: SessionClient): Response | undefined
}

/**
 * Every open 2025-era session, whichever transport it came in on, kept within bounds: how many in
 * total and per client, and for how long an idle one is kept (its upstream sessions and processes
 * with it).
 */
export class SessionRegistry implements SessionGate {
  readonly sessions = new Set<StatefulSession>()
  private reaper: ReturnType<typeof setInterval> | undefined

  constructor(
    private readonly options: SessionLimitOptions,
    private readonly metrics: ProxyMetrics,
  ) {}

  get maxCallsPerSession(): number {
    return this.options.maxCallsPerSession
  }

  opened(session: StatefulSession): void {
    this.sessions.add(session)
  }

  closed(session: StatefulSession): void {
    this.sessions.delete(session)
  }

  /** The refusal for a session the limits do not allow, or undefined when it may open. */
  admit(client: SessionClient): Response | undefined {
    const { maxSessions, maxSessionsPerClient } = this.options
    if (this.sessions.size >= maxSessions) {
      return this.refuse(proxyErrors.tooManySessions(maxSessions))
    }
    let fromClient = 0
    for (const session of this.sessions) if (session.client.address === client.address) fromClient++
    if (fromClient >= maxSessionsPerClient) {
      return this.refuse(proxyErrors.tooManySessionsFromClient(maxSessionsPerClient))
    }
    this.startReaping()
    return undefined
  }

  stop(): void {
    clearInterval(this.reaper)
    this.reaper = undefined
  }

  private refuse(error: ProxyError): Response {
    this.metrics.rejected.inc({ reason: 'session_limit' })
    return errorResponse(error)
  }

  private startReaping(): void {
    if (this.reaper) return
    const every = Math.min(60_000, this.options.sessionIdleTimeoutMs / 2)
    this.reaper = setInterval(() => this.closeIdle(), every)
    unref(this.reaper)
  }

  private closeIdle(): void {
    const cutoff = Date.now() - this.options.sessionIdleTimeoutMs
    for (const session of this.sessions) {
      if (session.idleSince(cutoff)) void session.close()
    }
  }
}
