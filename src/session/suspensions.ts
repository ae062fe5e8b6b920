import { ProtocolError, ProtocolErrorCode } from '@modelcontextprotocol/server'
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
  readonly asks = new Map<string, PendingAsk>()
  private wake: (() => void) | undefined
  private nextKey = 0
  expiry: ReturnType<typeof setTimeout> | undefined
  result: Promise<JsonObject> = Promise.resolve({})
  round: Record<string, ServerToClientRequest> = {}

  constructor(readonly token: string) {}

  readonly ask: AskDownstream = (request) =>
    new Promise<JsonObject>((resolve, reject) => {
      this.asks.set(`input-${++this.nextKey}`, { request, resolve, reject })
      // Let requests raised together leave in one input_required round.
      queueMicrotask(() => this.wake?.())
    })

  /** Resolves once the upstream has asked something the client has not seen yet. */
  asked(): Promise<void> {
    return new Promise((resolve) => {
      this.wake = resolve
      if (this.asks.size > 0) queueMicrotask(resolve)
    })
  }

  /** The requests to put in the next input_required round. */
  takeRound(): Record<string, ServerToClientRequest> {
    return Object.fromEntries([...this.asks].map(([key, pending]) => [key, pending.request]))
  }

  /** Hands the client's answers to the upstream requests that were in the round. */
  answer(round: Record<string, unknown>, responses: Record<string, unknown> | undefined): void {
    for (const key of Object.keys(round)) {
      const pending = this.asks.get(key)
      if (!pending) continue
      this.asks.delete(key)
      const response = responses?.[key]
      if (typeof response === 'object' && response !== null) pending.resolve(response as JsonObject)
      else
        pending.reject(
          new ProtocolError(ProtocolErrorCode.InvalidParams, `the client sent no answer for ${key}`),
        )
    }
  }

  abandon(reason: string): void {
    for (const pending of this.asks.values()) pending.reject(new Error(reason))
    this.asks.clear()
  }
}

const PREFIX = 's:'

/**
 * Turns server-to-client requests of 2025-era upstreams into `input_required` rounds for
 * 2026-07-28 clients: the upstream call stays open here while the client answers and retries.
 */
export class Suspensions {
  private readonly calls = new Map<string, SuspendedCall>()

  static owns(requestState: string | undefined): boolean {
    return requestState?.startsWith(PREFIX) ?? false
  }

  /** Starts an upstream call that may ask the client for input; answers its result or the first round. */
  start(run: (ask: AskDownstream) => Promise<JsonObject>): Promise<JsonObject> {
    const call = new SuspendedCall(`${PREFIX}${crypto.randomUUID()}`)
    call.result = run(call.ask)
    return this.next(call)
  }

  /** Continues a paused call with the client's answers. */
  resume(requestState: string, responses: Record<string, unknown> | undefined): Promise<JsonObject> {
    const call = this.calls.get(requestState)
    if (!call) throw new ProtocolError(ProtocolErrorCode.InvalidParams, 'Invalid or expired requestState')
    this.calls.delete(requestState)
    clearTimeout(call.expiry)
    call.answer(call.round, responses)
    return this.next(call)
  }

  private async next(call: SuspendedCall): Promise<JsonObject> {
    const outcome = await Promise.race([
      call.result.then((value) => ({ done: true as const, value })),
      call.asked().then(() => ({ done: false as const })),
    ])
    if (outcome.done) return outcome.value
    this.park(call)
    call.round = call.takeRound()
    return { resultType: 'input_required', inputRequests: call.round, requestState: call.token }
  }

  private park(call: SuspendedCall): void {
    this.calls.set(call.token, call)
    // The result is awaited again on resume; until then its rejection is not unhandled.
    call.result.catch(() => {})
    // A client that never comes back must not keep the upstream call open forever.
    call.expiry = setTimeout(() => {
      this.calls.delete(call.token)
      call.abandon('the client did not answer in time')
    }, SUSPENSION_TTL_MS)
    ;(call.expiry as { unref?: () => void }).unref?.()
  }

  /** Releases every paused call (proxy shutdown). */
  clear(): void {
    for (const call of this.calls.values()) {
      clearTimeout(call.expiry)
      call.abandon('the proxy is shutting down')
    }
    this.calls.clear()
  }
}
