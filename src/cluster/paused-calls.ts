/**
 * The \`requestState\` of a 2026-07-28 call paused in a proxy: \`s:<uuid>\`, or in cluster mode
 * \`s:<replica>:<uuid>\`, so that a retry landing on another replica is passed to the one holding it.
 */
const PAUSED = /^s:([a-z0-9]{10}):/

/** Whether `requestState` is a paused-call token (of this proxy or another replica). */
export function isPausedCallToken(requestState: string | undefined): boolean {
  return requestState?.startsWith('s:') ?? false
}

export function pausedCallToken(replica: string | undefined): string {
  return `s:${replica ? `${replica}:` : ''}${crypto.randomUUID()}`
}

/** The replica holding the paused call a cluster token names; undefined for other tokens. */
export function pausedCallReplica(requestState: unknown): string | undefined {
  return typeof requestState === 'string' ? PAUSED.exec(requestState)?.[1] : undefined
}
