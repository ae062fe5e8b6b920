import { isPausedCallToken, pausedCallReplica, pausedCallToken } from '../cluster/paused-calls.ts'
import { proxyErrors } from '../errors.ts'
import type { SuspendableCall } from '../forward/scope.ts'
import { unref } from '../unref.ts'
import type { AskDownstream, JsonObject, ServerToClientRequest } from '../upstream/link.ts'

/** How long a paused call waits for its client to come back with the answers. */
const SUSPENSION_TTL_MS = 10 * 60_000

interface PendingAsk {
  request: ServerToClientRequest
  resolve: (result: JsonObject) => void
  reject: (error: Error) => void
}

/** A call to a 2025-era upstream, paused while a 2026-07-28 client answers what the upstream asked. */
class SuspendedCall {
  constructor(
    /** In cluster mode the token names the replica, so a retry that lands elsewhere is passed here. */
    readonly token: string,
  ) {}

  readonly cancel = new AbortController()
  result: Promise<JsonObject> = Promise.resolve({})
  private readonly asks = new Map<string, PendingAsk>()
  private sent: string[] = []
  private wake: (() => void) | undefined
  private nextKey = 0
  private expiry: ReturnType<typeof setTimeout> | undefined
  private detachRound: (() => void) | undefined

  readonly ask: AskDownstream = (request) =>
    new Promise<JsonObject>((resolve, reject) => {
      this.asks.set(`input-${++this.nextKey}`, { request, resolve, reject })
      // Let requests raised together leave in one input_required round.
      queueMicrotask(() => this.wake?.())
    })

  /** While a round is being served, the client going away cancels the upstream call. */
  attachRound(signal: AbortSignal): void {
    clearTimeout(this.expiry)
    const abort = () => this.cancel.abort(signal.reason)
    if (signal.aborted) abort()
    signal.addEventListener('abort', abort, { once: true })
    this.detachRound = () => signal.removeEventListener('abort', abort)
  }

  /** Resolves once the upstream has asked something the client has not seen yet. */
  asked(): Promise<void> {
    return new Promise((resolve) => {
      this.wake = resolve
      if (this.asks.size > this.sent.length) queueMicrotask(resolve)
    })
  }

  /** Parks the call between rounds and returns the questions for the client. */
  park(onExpired: () => void): Record<string, ServerToClientRequest> {
    this.detachRound?.()
    this.sent = [...this.asks.keys()]
    this.expiry = setTimeout(() => {
      onExpired()
      this.cancel.abort(new Error('the client did not answer in time'))
    }, SUSPENSION_TTL_MS)
    unref(this.expiry)
    return Object.fromEntries(this.sent.map((key) => [key, (this.asks.get(key) as PendingAsk).request]))
  }

  /** Hands the client's answers to the upstream requests of the last round. */
  answer(responses: Record<string, unknown> | undefined): void {
    for (const key of this.sent) {
      const pending = this.asks.get(key) as PendingAsk
      this.asks.delete(key)
      const response = responses?.[key]
      if (typeof response === 'object' && response !== null) pending.resolve(response as JsonObject)
      else pending.reject(proxyErrors.missingInputResponse(key))
    }
    this.sent = []
  }

  abandon(reason: string): void {
    clearTimeout(this.expiry)
    for (const pending of this.asks.values()) pending.reject(new Error(reason))
    this.asks.clear()
    this.cancel.abort(new Error(reason))
  }
}

/**
 * Turns server-to-client requests of 2025-era upstreams into `input_required` rounds for
 * 2026-07-28 clients: the upstream call stays open here while the client answers and retries.
 */
export class Suspensions {
  private readonly calls = new Map<string, SuspendedCall>()

  static owns(requestState: string | undefined): boolean {
    return isPausedCallToken(requestState)
  }

  constructor(private readonly replica: () => string | undefined = () => undefined) {}

  /** Starts an upstream call; answers its result, or the first round of questions. */
  start(run: SuspendableCall, roundSignal: AbortSignal): Promise<JsonObject> {
    const replica = this.replica()
    const call = new SuspendedCall(pausedCallToken(replica))
    call.attachRound(roundSignal)
    call.result = run(call.ask, call.cancel.signal)
    return this.next(call)
  }

  /** Continues a paused call with the client's answers. */
  resume(requestState: string, responses: Record<string, unknown> | undefined, roundSignal: AbortSignal) {
    const call = this.calls.get(requestState)
    if (!call) {
      const holder = pausedCallReplica(requestState)
      throw holder && holder !== this.replica()
        ? proxyErrors.pausedCallGone()
        : proxyErrors.invalidRequestState()
    }
    this.calls.delete(requestState)
    call.attachRound(roundSignal)
    call.answer(responses)
    return this.next(call)
  }

  /** Releases every paused call (proxy shutdown). */
  clear(): void {
    for (const call of this.calls.values()) call.abandon('the proxy is shutting down')
    this.calls.clear()
  }

  private async next(call: SuspendedCall): Promise<JsonObject> {
    const outcome = await Promise.race([
      call.result.then((value) => ({ done: true as const, value })),
      call.asked().then(() => ({ done: false as const })),
    ])
    if (outcome.done) return outcome.value
    // The result is awaited again on resume; until then its rejection is not unhandled.
    call.result.catch(() => {})
    this.calls.set(call.token, call)
    const inputRequests = call.park(() => this.calls.delete(call.token))
    return { resultType: 'input_required', inputRequests, requestState: call.token }
  }
}
