import { ProtocolError, ProtocolErrorCode } from '@modelcontextprotocol/server'

/** JSON-RPC error codes the proxy answers with, beyond the spec's standard ones. */
export const ProxyErrorCode = {
  /** A transport-level refusal (bad headers, no session id, too many sessions), as the SDK words them. */
  Refused: -32000,
  /** The session id names no session (any more): the client must initialize again. */
  SessionNotFound: -32001,
  /** The upstream that owns the request is down or failed while serving it. */
  UpstreamUnavailable: -32010,
  /** The upstream did not answer within the configured timeout. */
  UpstreamTimeout: -32011,
  /** No token for the upstream could be had (the token endpoint refused, or could not be found). */
  UpstreamAuthorization: -32012,
  /** The client's identity has no credential for the upstream that owns the request. */
  NoCredential: -32013,
  /** SEP-2243 `HeaderMismatch`: `Mcp-Param-*` headers disagree with the arguments. */
  HeaderMismatch: -32020,
  /** A result plugin (a guardrail) refused to pass the result on. */
  ResultBlocked: -32030,
} as const

export interface ProxyErrorOptions {
  code?: number
  /** The HTTP status where the error is answered at the HTTP level (before any session or SDK). */
  status?: number
  upstream?: string
  data?: unknown
}

/**
 * The one error type the proxy raises: a message a person understands, the upstream it concerns,
 * the HTTP status for HTTP-level answers and the JSON-RPC code for protocol-level answers.
 * Every error a client can get from the proxy itself is made by one of `proxyErrors` below.
 */
export class ProxyError extends ProtocolError {
  readonly status: number

  constructor(message: string, options: ProxyErrorOptions = {}) {
    super(
      options.code ?? ProtocolErrorCode.InternalError,
      message,
      options.data ?? withUpstream(options.upstream),
    )
    this.status = options.status ?? 500
  }
}

function withUpstream(upstream: string | undefined): { upstream: string } | undefined {
  return upstream === undefined ? undefined : { upstream }
}

const refused = (status: number, message: string) =>
  new ProxyError(message, { code: ProxyErrorCode.Refused, status })
const invalidParams = (message: string, data?: unknown) =>
  new ProxyError(message, { code: ProtocolErrorCode.InvalidParams, status: 400, data })
const ofUpstream = (upstream: string, message: string, code: number = ProxyErrorCode.UpstreamUnavailable) =>
  new ProxyError(message, { code, status: code === ProxyErrorCode.UpstreamTimeout ? 504 : 502, upstream })

/** Every error the proxy itself answers with: its code, HTTP status and message. */
export const proxyErrors = {
  // The HTTP front ends.
  unsupportedMediaType: () => refused(415, 'Unsupported Media Type: Content-Type must be application/json'),
  notAcceptable: () =>
    refused(406, 'Not Acceptable: Accept must list both application/json and text/event-stream'),
  notJson: () =>
    new ProxyError('Parse error: the body is not valid JSON', {
      code: ProtocolErrorCode.ParseError,
      status: 400,
    }),
  notJsonRpc: () =>
    new ProxyError('Invalid Request: the body is not a JSON-RPC 2.0 message', {
      code: ProtocolErrorCode.InvalidRequest,
      status: 400,
    }),
  payloadTooLarge: (limit: number) => refused(413, `Payload Too Large: the limit is ${limit} bytes`),
  // The status page.
  uiUnauthorized: () => refused(401, 'Unauthorized: the status page needs the admin key (as the password)'),
  uiActionRefused: () =>
    refused(403, 'Forbidden: a status page action must come from the page itself (its token and origin)'),
  uiUnknownUpstream: (id: string) => refused(404, `Not Found: no upstream '${id}'`),
  uiCannotReload: () =>
    refused(501, 'Not Implemented: this proxy was not started from a config it can read again'),
  methodNotAllowed: () => refused(405, 'Method Not Allowed: use POST, GET or DELETE'),
  unknownServer: (path: string) => refused(404, `Not Found: no MCP server is served at ${path}`),
  serverForbidden: (path: string) =>
    refused(403, `Forbidden: this identity may not use the MCP server at ${path}`),
  shuttingDown: () => refused(503, 'Service Unavailable: the proxy is shutting down'),
  replicaSilent: () => refused(502, 'Bad Gateway: the proxy replica serving this request stopped answering'),
  clusterUnavailable: (reason: string) =>
    refused(
      503,
      `Service Unavailable: the cluster's shared session store (Redis) cannot be reached: ${reason}`,
    ),
  sessionIdRequired: () => refused(400, 'Bad Request: Mcp-Session-Id header is required'),
  sseSessionIdRequired: () => refused(400, 'Bad Request: the sessionId query parameter is required'),
  sessionNotFound: (howToStartOver: string) =>
    new ProxyError(`Session not found: ${howToStartOver}`, {
      code: ProxyErrorCode.SessionNotFound,
      status: 404,
    }),
  headerMismatch: (mismatch: string) =>
    new ProxyError(`Bad Request: the request headers and body disagree: ${mismatch}`, {
      code: ProxyErrorCode.HeaderMismatch,
      status: 400,
    }),
  // Limits.
  tooManySessions: (limit: number) =>
    refused(503, `Too many sessions: the proxy holds its limit of ${limit}; try again later`),
  tooManySessionsFromClient: (limit: number) =>
    refused(429, `Too many sessions from this client (limit ${limit}); close one first`),
  tooManyCalls: (limit: number) =>
    new ProxyError(`Too many calls in progress in this session (limit ${limit}); wait for one to finish`, {
      code: ProtocolErrorCode.InvalidRequest,
      status: 429,
    }),
  // Names, references and cursors the client sent.
  unknownName: (kind: 'tool' | 'prompt', name: unknown) => invalidParams(`Unknown ${kind}: ${name}`),
  unknownReference: (ref: unknown) => invalidParams(`Unknown reference: ${JSON.stringify(ref)}`),
  resourceNotFound: (uri: unknown) => invalidParams(`Resource not found: ${uri}`, { uri }),
  invalidCursor: () => invalidParams('Invalid cursor'),
  invalidRequestState: () => invalidParams('Invalid or expired requestState'),
  pausedCallGone: () =>
    invalidParams(
      'Invalid requestState: the proxy replica holding this paused call is gone; send the request again without it',
    ),
  missingInputResponse: (key: string) => invalidParams(`the client sent no answer for ${key}`),
  invalidToolArguments: (tool: string, problem: string) =>
    invalidParams(`Invalid arguments for ${tool}: ${problem}`),
  // Upstreams.
  /** `detail` follows the words 'is unavailable' as it is: ` (down): …` or `: …`. */
  upstreamUnavailable: (upstream: string, detail: string) =>
    ofUpstream(upstream, `upstream '${upstream}' is unavailable${detail}`),
  upstreamFailed: (upstream: string, reason: string) =>
    ofUpstream(upstream, `upstream '${upstream}' failed: ${reason}`),
  upstreamTimeout: (upstream: string, timeoutMs: number) =>
    ofUpstream(
      upstream,
      `upstream '${upstream}' did not answer within ${timeoutMs} ms`,
      ProxyErrorCode.UpstreamTimeout,
    ),
  invalidToolResult: (upstream: string) =>
    ofUpstream(upstream, `upstream '${upstream}' answered tools/call with an invalid result`),
  callStreamLost: () =>
    new ProxyError(
      'the connection to the proxy replica serving this call was lost; the call was cancelled if it still ran, and its outcome is unknown',
      { code: ProxyErrorCode.UpstreamUnavailable },
    ),
  unansweredStream: (upstream: string) =>
    ofUpstream(upstream, `upstream '${upstream}' ended its answer stream without answering`),
  noCredential: (upstream: string, identity: string | undefined) =>
    new ProxyError(
      `Forbidden: ${identity === undefined ? 'an anonymous client' : `identity '${identity}'`} has no credential for upstream '${upstream}'`,
      { code: ProxyErrorCode.NoCredential, status: 403, upstream },
    ),
  /** The upstream answered 401 or 403 to the credential it was sent (after a renewal, where there is one). */
  credentialRefused: (upstream: string, status: number, detail: string) =>
    ofUpstream(
      upstream,
      `upstream '${upstream}' refused the credential it was sent (HTTP ${status}${detail ? `: ${detail}` : ''})`,
      ProxyErrorCode.UpstreamAuthorization,
    ),
  upstreamAuthorization: (upstream: string, reason: string) =>
    ofUpstream(
      upstream,
      `upstream '${upstream}' could not be authorized: ${reason}`,
      ProxyErrorCode.UpstreamAuthorization,
    ),
  missingMethod: (upstream: string, method: string) =>
    new ProxyError(`upstream '${upstream}' does not implement ${method}`, {
      code: ProtocolErrorCode.MethodNotFound,
      status: 501,
      upstream,
    }),
  cannotRunStdio: (upstream: string) =>
    new ProxyError(`upstream '${upstream}' is a stdio upstream, and this runtime cannot start processes`, {
      upstream,
    }),
  // What cannot be passed on.
  cannotDeliver: (method: string, upstream: string, reason: string) =>
    new ProxyError(`ProxMCP cannot deliver ${method} from upstream '${upstream}': ${reason}`),
  clientCannotAnswer: (method: string) =>
    new ProxyError(`the client cannot answer ${method}`, { code: ProtocolErrorCode.MethodNotFound }),
  pluginFailed: (plugin: string) => new ProxyError(`Internal error in plugin '${plugin}'`),
  resultBlocked: (plugin: string, rule: string, upstream: string | undefined) =>
    new ProxyError(`The result was withheld: it matched the '${rule}' rule of plugin '${plugin}'`, {
      code: ProxyErrorCode.ResultBlocked,
      status: 200,
      data: { rule, ...(upstream && { upstream }) },
    }),
}

/** An HTTP answer that refuses the credential sent (rather than the request). */
export function refusesCredential(status: number): boolean {
  return status === 401 || status === 403
}

/** No credential, or no token, for the upstream: about the identity, not the upstream's health. */
export function isCredentialError(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code
  return code === ProxyErrorCode.NoCredential || code === ProxyErrorCode.UpstreamAuthorization
}

/** An error as it goes on the wire: its JSON-RPC fields, and the HTTP status where that applies. */
export interface WireError {
  status: number
  code: number
  message: string
  data?: unknown
}

/**
 * What a client is told of any error: a ProtocolError (the proxy's own, or an upstream's passed
 * through) keeps its code, message and data; anything else is an internal error that shows no
 * stack or detail.
 */
export function toWireError(error: unknown): WireError {
  if (error instanceof ProxyError) return wire(error.status, error)
  if (error instanceof ProtocolError) return wire(500, error)
  return { status: 500, code: ProtocolErrorCode.InternalError, message: 'Internal error' }
}

function wire(status: number, error: ProtocolError): WireError {
  return { status, ...errorFields(error) }
}

/** The `error` member of a JSON-RPC answer carrying this error. */
export function errorFields({ code, message, data }: ProtocolError): Omit<WireError, 'status'> {
  return { code, message, ...(data !== undefined && { data }) }
}

/** An HTTP answer carrying a JSON-RPC error, the shape MCP clients expect for transport-level refusals. */
export function errorResponse(error: unknown, id: unknown = null): Response {
  const { status, ...fields } = toWireError(error)
  return new Response(JSON.stringify({ jsonrpc: '2.0', id, error: fields }), {
    status,
    headers: { 'content-type': 'application/json' },
  })
}
