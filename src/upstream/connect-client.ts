import {
  Client,
  type ClientCapabilities,
  type Notification,
  type PriorDiscovery,
  type Transport,
} from '@modelcontextprotocol/client'
import type { UpstreamConfig } from '../config/resolve.ts'
import { PROXY_INFO } from '../version.ts'
import {
  type AskDownstream,
  type DirectPath,
  type JsonObject,
  type LinkOptions,
  UpstreamLink,
} from './link.ts'

/** Requests an upstream may send to its client, and the client capability each needs. */
const SERVER_TO_CLIENT = [
  ['sampling/createMessage', 'sampling'],
  ['elicitation/create', 'elicitation'],
  ['roots/list', 'roots'],
] as const

/** Whether a client with these capabilities can answer the upstream's request `method`. */
export function canAnswer(capabilities: ClientCapabilities, method: string): boolean {
  const needed = SERVER_TO_CLIENT.find(([name]) => name === method)?.[1]
  return needed !== undefined && capabilities[needed] !== undefined
}

export interface ConnectOptions {
  capabilities: ClientCapabilities
  prior?: PriorDiscovery
  ask: AskDownstream
  onNotification: (notification: Notification) => void
  onClose: () => void
}

/**
 * Connects an SDK client to an upstream over the given transport: era negotiated automatically
 * (or taken from a verdict already learned), server-to-client requests handed to `ask`, every
 * notification the SDK does not consume itself handed to `onNotification`.
 */
export async function connectClient(
  upstream: UpstreamConfig,
  transport: Transport,
  options: ConnectOptions,
): Promise<Client> {
  const client = new Client(PROXY_INFO, {
    capabilities: options.capabilities,
    versionNegotiation: { mode: upstream.era === 'modern' ? { pin: '2026-07-28' } : upstream.era },
    inputRequired: { autoFulfill: false },
    listMaxPages: 0,
  })
  for (const [method, capability] of SERVER_TO_CLIENT) {
    if (!options.capabilities[capability]) continue
    client.setRequestHandler(method, ((
      request: { params?: JsonObject },
      ctx: { mcpReq: { signal: AbortSignal } },
    ) => options.ask({ method, params: request.params }, ctx.mcpReq.signal)) as never)
  }
  client.fallbackNotificationHandler = async (notification) => options.onNotification(notification)
  client.onclose = options.onClose
  client.onerror = () => {}
  await client.connect(transport, options.prior ? { prior: options.prior } : undefined)
  return client
}

/** The era verdict to reuse for later connections to the same upstream, so they skip the probe. */
export function verdictOf(client: Client): PriorDiscovery {
  const discover = client.getDiscoverResult()
  return discover ? { kind: 'modern', discover } : { kind: 'legacy' }
}

export interface OpenLinkOptions {
  capabilities: ClientCapabilities
  prior?: PriorDiscovery
  /** True when one downstream session owns the link (see {@link LinkOptions.sessionScoped}). */
  sessionScoped: boolean
  sharedSession?: boolean
  idleAsk?: AskDownstream
  onNotification: (notification: Notification) => void
  /** The connection ended (the process exited, the transport closed). */
  onClose: (link: UpstreamLink) => void
  onConnectionFailure: () => void
}

const DIRECT_PATHS: Record<UpstreamConfig['transport'], DirectPath> = {
  'streamable-http': 'http',
  stdio: 'message',
  sse: 'none',
}

/** Connects a client to the upstream and wraps it as a link, which routes what the upstream asks. */
export async function openLink(upstream: UpstreamConfig, transport: Transport, options: OpenLinkOptions) {
  let link: UpstreamLink | undefined
  const client = await connectClient(upstream, transport, {
    capabilities: options.capabilities,
    prior: options.prior,
    ask: (request, signal) => (link as UpstreamLink).ask(request, signal),
    onNotification: options.onNotification,
    onClose: () => link && options.onClose(link),
  })
  link = new UpstreamLink(client, {
    upstreamId: upstream.id,
    directPath: DIRECT_PATHS[upstream.transport],
    timeoutMs: upstream.timeoutMs,
    sessionScoped: options.sessionScoped,
    sharedSession: options.sharedSession,
    idleAsk: options.idleAsk,
    onConnectionFailure: options.onConnectionFailure,
  })
  return link
}
