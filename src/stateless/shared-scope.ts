import type { ClientCapabilities } from '@modelcontextprotocol/client'
import { CLIENT_CAPABILITIES_META_KEY, type ServerContext } from '@modelcontextprotocol/server'
import { callSignal } from '../forward/call-signal.ts'
import type { CallScope, SuspendableCall } from '../forward/scope.ts'
import { upstreamUnavailable } from '../forward/unavailable.ts'
import { contextOf } from '../plugins/context.ts'
import type { JsonObject, UpstreamLink } from '../upstream/link.ts'
import { requestLink } from '../upstream/session-links.ts'
import type { Upstream } from '../upstream/upstream.ts'
import { Suspensions } from './suspensions.ts'

const ALL_QUESTIONS: ClientCapabilities = { sampling: {}, elicitation: { form: {}, url: {} } }

/**
 * The scope of 2026-07-28 requests: no session, so they use each upstream's shared connection, and
 * a question a 2025-era upstream pushes mid-call becomes an input_required round for the client.
 */
export class SharedScope implements CallScope {
  constructor(private readonly suspensions: Suspensions) {}

  /**
   * The shared connection, except where a 2025-era HTTP upstream might ask the client something
   * mid-call: that call gets an upstream session of its own, so the question is known to be its
   * (on a shared connection several calls could have asked). Stdio upstreams share: a process per
   * call would cost more than the rare ambiguity.
   */
  async withLink<T>(
    upstream: Upstream,
    use: (link: UpstreamLink) => Promise<T>,
    ctx?: ServerContext,
  ): Promise<T> {
    const credential = upstream.credentials.of(ctx && contextOf(ctx)?.identity)
    if (upstream.perRequest) return upstream.withRequestLink(requestLink(ALL_QUESTIONS, credential), use)
    const questions = ctx ? answerableQuestions(ctx) : undefined
    if (questions && upstream.era === 'legacy' && upstream.config.transport !== 'stdio') {
      return upstream.withRequestLink(requestLink(questions, credential), use)
    }
    if (upstream.state !== 'up') throw upstreamUnavailable(upstream)
    const link = await upstream.identities.connectionFor(credential)
    if (!link) throw upstreamUnavailable(upstream)
    return use(link)
  }

  runCall(ctx: ServerContext, call: SuspendableCall): Promise<JsonObject> {
    return this.suspensions.start(call, callSignal(ctx))
  }

  /** 2026-07-28 clients send their capabilities and log level in every request's envelope. */
  envelope(): undefined {
    return undefined
  }

  resumeCall(ctx: ServerContext, requestState: string | undefined): Promise<JsonObject> | undefined {
    if (!requestState || !Suspensions.owns(requestState)) return undefined
    return this.suspensions.resume(requestState, ctx.mcpReq.inputResponses, callSignal(ctx))
  }
}

/** The questions (sampling, elicitation) this request's client declared it can answer, if any. */
function answerableQuestions(ctx: ServerContext): ClientCapabilities | undefined {
  const envelope = ctx.mcpReq.envelope as Record<string, unknown> | undefined
  const declared = envelope?.[CLIENT_CAPABILITIES_META_KEY] as ClientCapabilities | undefined
  const { sampling, elicitation } = declared ?? {}
  if (!sampling && !elicitation) return undefined
  return { ...(sampling && { sampling }), ...(elicitation && { elicitation }) }
}
