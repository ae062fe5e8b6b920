import { ROOT_CONTEXT } from '@opentelemetry/api'
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http'
import { createOtlpNetworkExportDelegate, OTLPExporterBase } from '@opentelemetry/otlp-exporter-base'
import {
  convertLegacyHttpOptions,
  createOtlpHttpExportDelegate,
  createOtlpHttpExporterMetrics,
} from '@opentelemetry/otlp-exporter-base/node-http'
import { resourceFromAttributes } from '@opentelemetry/resources'
import { BatchSpanProcessor, SamplingDecision, TraceIdRatioBasedSampler } from '@opentelemetry/sdk-trace'
import { VERSION } from '../version.ts'
import { fetchTransport, prefersFetch } from './fetch-transport.ts'
import { LossReport } from './loss-report.ts'
import { type EncodedSpans, otlpBatchSerializer } from './otlp-protobuf.ts'
import { otlpTracing } from './otlp-tracing.ts'
import { SpanBatches } from './span-batches.ts'
import type { Tracing } from './tracing.ts'

const MAX_QUEUED = 32_768
/** Spans per export: serializing costs twice as much per span at 4,096. */
const BATCH = 512
const DELAY_MS = 1_000

export interface SdkOptions {
  /** The OTLP/HTTP traces URL (`…/v1/traces`). */
  url: string
  serviceName: string
  /** The share of new traces kept; a client's sampled flag is followed as it is. */
  sampleRatio: number
  /** OTLP's default encoding is protobuf; JSON is larger and slower to write. */
  protocol: 'http/protobuf' | 'http/json'
  /** Where lost spans are told (the proxy's log)… */
  warn: (message: string) => void
  /** …and counted (its metrics). */
  lost: (spans: number) => void
}

/** Tracing exported by the OpenTelemetry SDK to an OTLP/HTTP collector: loaded only when tracing is on. */
export function otelSdk({ url, serviceName, sampleRatio, protocol, warn, lost }: SdkOptions): Tracing {
  const resource = resourceFromAttributes({ 'service.name': serviceName })
  const instrumentationScope = { name: 'proxmcp', version: VERSION }
  // The SDK's batch processor (JSON) sends every queued batch at once at shutdown, and one may be under way already.
  const exporterOptions = { url, concurrencyLimit: MAX_QUEUED / BATCH + 1 }
  const losses = new LossReport(warn)
  const sink =
    protocol === 'http/json'
      ? new BatchSpanProcessor({
          exporter: new JsonExporter(exporterOptions),
          // The SDK's defaults (2,048 queued, sent every 5 s) drop spans past about 400 requests a second.
          scheduledDelayMillis: DELAY_MS,
          maxQueueSize: MAX_QUEUED,
          maxExportBatchSize: BATCH,
        })
      : new SpanBatches(
          protobufExporter(exporterOptions, otlpBatchSerializer(resource, instrumentationScope)),
          {
            maxBatch: BATCH,
            delayMs: DELAY_MS,
            maxWaitingSpans: MAX_QUEUED,
            maxConcurrentExports: exporterOptions.concurrencyLimit,
            onLost: (spans, why) => {
              lost(spans)
              losses.add(spans, why)
            },
          },
        )
  const sampler = new TraceIdRatioBasedSampler(sampleRatio)
  return otlpTracing({
    resource,
    instrumentationScope,
    sink,
    sampled:
      sampleRatio >= 1
        ? () => true
        : (traceId) =>
            sampler.shouldSample(ROOT_CONTEXT, traceId).decision === SamplingDecision.RECORD_AND_SAMPLED,
    close: async () => {
      await sink.shutdown()
      losses.flush()
    },
  })
}

/**
 * The SDK's OTLP/HTTP exporter (retries, timeouts, a bound on exports under way), sending protobuf:
 * over fetch under Bun, over node:http elsewhere and where certificates are configured (the SDK
 * reads them into its node:http agent).
 */
function protobufExporter(
  options: { url: string; concurrencyLimit: number },
  serializer: ReturnType<typeof otlpBatchSerializer>,
) {
  const config = convertLegacyHttpOptions(options, 'TRACES', 'v1/traces', {
    'Content-Type': 'application/x-protobuf',
  })
  const metrics = { name: 'span' as const, countItems: (batch: EncodedSpans) => batch.count }
  const delegate = prefersFetch()
    ? createOtlpNetworkExportDelegate(
        config,
        serializer,
        createOtlpHttpExporterMetrics('otlp_http_span_exporter', metrics, config.url, undefined),
        fetchTransport(config),
      )
    : createOtlpHttpExportDelegate(config, serializer, 'otlp_http_span_exporter', metrics, undefined)
  return new OTLPExporterBase<EncodedSpans>(delegate)
}
