import type { Upstream } from '../upstream/upstream.ts'
import { Counter, Gauge, Histogram, type Labels, renderMetrics } from './registry.ts'

/** Why the proxy turned a request away before it reached an upstream. */
export type RejectReason =
  | 'rate_limited'
  | 'unauthorized'
  | 'forbidden'
  | 'too_large'
  | 'session_limit'
  | 'call_limit'

const REJECTED_BY_STATUS: Record<number, RejectReason> = {
  401: 'unauthorized',
  403: 'forbidden',
  413: 'too_large',
  429: 'rate_limited',
}

/** Request totals since start: requests, those that failed (HTTP 4xx/5xx or an upstream call's error), latency buckets. */
export interface Traffic {
  requests: number
  failed: number
  latency: { bounds: number[]; counts: number[]; count: number }
}

/** What the proxy reports at GET /metrics. */
export class ProxyMetrics {
  readonly requests = new Counter(
    'proxmcp_requests_total',
    'HTTP requests served, by JSON-RPC method and status (and virtual server).',
  )
  readonly requestDuration = new Histogram(
    'proxmcp_request_duration_seconds',
    'Time to the response headers.',
  )
  readonly upstreamCalls = new Counter(
    'proxmcp_upstream_calls_total',
    'Calls forwarded upstream, by outcome (and virtual server).',
  )
  readonly upstreamDuration = new Histogram(
    'proxmcp_upstream_call_duration_seconds',
    'Upstream call latency.',
  )
  readonly rejected = new Counter(
    'proxmcp_requests_rejected_total',
    'Requests refused by the proxy, by reason.',
  )
  readonly toolSearches = new Counter(
    'proxmcp_tool_searches_total',
    'search_tools calls answered by the proxy (tool search), by outcome.',
  )
  readonly tracingLost = new Counter(
    'proxmcp_trace_spans_lost_total',
    'Spans that did not reach the OTLP collector (a full queue, a refused or failed export).',
  )
  readonly auditDropped = new Counter(
    'proxmcp_audit_dropped_total',
    'Audit lines dropped because the audit buffer was full (the sinks could not keep up).',
  )
  private inflight = 0

  constructor(
    private readonly upstreams: () => Upstream[],
    private readonly sessionCount: () => number,
  ) {}

  /** Calls being forwarded right now (graceful shutdown waits for them). */
  get callsInFlight(): number {
    return this.inflight
  }

  /** `server`: the virtual server addressed, as a label of its own; absent for `/mcp` serving every upstream. */
  recordResponse(method: string, status: number, seconds: number, server?: string): void {
    this.requests.inc(
      server === undefined ? { method, status: String(status) } : { method, status: String(status), server },
    )
    this.requestDuration.observe({ method }, seconds)
    const reason = REJECTED_BY_STATUS[status]
    if (reason) this.rejected.inc({ reason })
  }

  /**
   * Times one upstream call; resolve or reject the returned function when it ends. A call made
   * through a virtual server is labelled with it (a call through `/mcp` keeps its labels as before).
   */
  startCall(upstream: string, method: string, server?: string): (outcome: 'ok' | 'error') => void {
    const startedAt = performance.now()
    this.inflight++
    const labels: Labels = server === undefined ? { upstream, method } : { upstream, method, server }
    return (outcome) => {
      this.inflight--
      this.upstreamCalls.inc({ ...labels, outcome })
      this.upstreamDuration.observe(labels, (performance.now() - startedAt) / 1000)
    }
  }

  /** Totals since start, for the status page to turn into rates between two readings. */
  traffic(): Traffic {
    return {
      requests: this.requests.sum(),
      failed:
        this.requests.sum((labels) => Number(labels.status) >= 400) +
        this.upstreamCalls.sum((labels) => labels.outcome === 'error'),
      latency: this.requestDuration.totals(),
    }
  }

  render(): string {
    const upstreams = this.upstreams()
    return renderMetrics([
      this.requests,
      this.requestDuration,
      this.upstreamCalls,
      this.upstreamDuration,
      this.rejected,
      this.toolSearches,
      this.tracingLost,
      this.auditDropped,
      new Gauge('proxmcp_upstream_up', 'Whether the upstream is connected (1) or not (0).', () =>
        upstreams.map((upstream) => ({
          labels: { upstream: upstream.id },
          value: upstream.state === 'up' ? 1 : 0,
        })),
      ),
      new Gauge(
        'proxmcp_upstream_reconnects',
        'Times the upstream was lost and reconnected since start.',
        () =>
          upstreams.map((upstream) => ({ labels: { upstream: upstream.id }, value: upstream.reconnects })),
      ),
      new Gauge(
        'proxmcp_upstream_token_requests',
        "Token requests to the upstream's authorization server since start, by grant and outcome.",
        () =>
          upstreams.flatMap((upstream) =>
            upstream.credentials.tokenRequests().map(({ grant, outcome, count }) => ({
              labels: { upstream: upstream.id, grant, outcome },
              value: count,
            })),
          ),
      ),
      new Gauge('proxmcp_upstream_tools', 'Tools the upstream lists.', () =>
        upstreams.map((upstream) => ({
          labels: { upstream: upstream.id },
          value: upstream.catalog.tools.length,
        })),
      ),
      new Gauge('proxmcp_sessions_active', 'Open 2025-era sessions (Streamable HTTP and SSE).', () => [
        { labels: {}, value: this.sessionCount() },
      ]),
      new Gauge('proxmcp_calls_in_flight', 'Upstream calls in progress.', () => [
        { labels: {}, value: this.inflight },
      ]),
    ])
  }
}
