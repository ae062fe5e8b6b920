import { ROOT_CONTEXT } from '@opentelemetry/api'
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http'
import { OTLPExporterBase } from '@opentelemetry/otlp-exporter-base'
import {
  convertLegacyHttpOptions,
  createOtlpHttpExportDelegate,
} from '@opentelemetry/otlp-exporter-base/node-http'
import { TraceExporterMetricsHelper } from '@opentelemetry/otlp-transformer'
import { resourceFromAttributes } from '@opentelemetry/resources'
import {
  BatchSpanProcessor,
  type ReadableSpan,
  SamplingDecision,
  TraceIdRatioBasedSampler,
} from '@opentelemetry/sdk-trace'
import { VERSION } from '../version.ts'
import { otlpProtobuf } from './otlp-protobuf.ts'
import { otlpTracing } from './otlp-tracing.ts'
import type { Tracing } from './tracing.ts'

const MAX_QUEUED = 32_768
const BATCH = 512

export interface SdkOptions {
  /** The OTLP/HTTP traces URL (`…/v1/traces`). */
  url: string
  serviceName: string
  /** The share of new traces kept; a client's sampled flag is followed as it is. */
  sampleRatio: number
  /** OTLP's default encoding is protobuf; JSON is larger and slower to write. */
  protocol: 'http/protobuf' | 'http/json'
}

/** Tracing exported by the OpenTelemetry SDK to an OTLP/HTTP collector: loaded only when tracing is on. */
export function otelSdk({ url, serviceName, sampleRatio, protocol }: SdkOptions): Tracing {
  // A flush at shutdown sends every queued batch at once, and one may be under way already.
  const exporterOptions = { url, concurrencyLimit: MAX_QUEUED / BATCH + 1 }
  const processor = new BatchSpanProcessor({
    exporter:
      protocol === 'http/json' ? new JsonExporter(exporterOptions) : protobufExporter(exporterOptions),
    // The SDK's defaults (2,048 queued, sent every 5 s) drop spans past about 400 requests a
    // second. Batches stay at its 512: serializing costs twice as much per span at 4,096.
    scheduledDelayMillis: 1_000,
    maxQueueSize: MAX_QUEUED,
    maxExportBatchSize: BATCH,
  })
  const sampler = new TraceIdRatioBasedSampler(sampleRatio)
  return otlpTracing({
    resource: resourceFromAttributes({ 'service.name': serviceName }),
    instrumentationScope: { name: 'proxmcp', version: VERSION },
    sink: processor,
    sampled: (traceId) =>
      sampler.shouldSample(ROOT_CONTEXT, traceId).decision === SamplingDecision.RECORD_AND_SAMPLED,
    close: () => processor.shutdown(),
  })
}

/** The SDK's OTLP/HTTP protobuf exporter, writing with `otlpProtobuf`. */
function protobufExporter(options: { url: string; concurrencyLimit: number }) {
  return new OTLPExporterBase<ReadableSpan[]>(
    createOtlpHttpExportDelegate(
      convertLegacyHttpOptions(options, 'TRACES', 'v1/traces', { 'Content-Type': 'application/x-protobuf' }),
      otlpProtobuf,
      'otlp_http_span_exporter',
      TraceExporterMetricsHelper,
      undefined,
    ),
  )
}
