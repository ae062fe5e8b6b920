import type { TracerProvider as ApiTracerProvider } from '@opentelemetry/api'
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http'
import { OTLPTraceExporter as ProtobufExporter } from '@opentelemetry/exporter-trace-otlp-proto'
import { resourceFromAttributes } from '@opentelemetry/resources'
import {
  BatchSpanProcessor,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  TracerProvider,
} from '@opentelemetry/sdk-trace'

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

/** The OpenTelemetry SDK exporting to an OTLP/HTTP collector: loaded only when tracing is on. */
export function otelSdk({ url, serviceName, sampleRatio, protocol }: SdkOptions): {
  provider: ApiTracerProvider
  shutdown: () => Promise<void>
} {
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': serviceName }),
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(sampleRatio) }),
    spanProcessors: [
      new BatchSpanProcessor({
        exporter: new (protocol === 'http/json' ? JsonExporter : ProtobufExporter)({
          url,
          // A flush at shutdown sends every queued batch at once: the exporter must take them all.
          concurrencyLimit: MAX_QUEUED / BATCH,
        }),
        // The SDK's defaults (2,048 queued, sent every 5 s) drop spans past about 400 requests a
        // second. Batches stay at its 512: serializing costs twice as much per span at 4,096.
        scheduledDelayMillis: 1_000,
        maxQueueSize: MAX_QUEUED,
        maxExportBatchSize: BATCH,
      }),
    ],
  })
  return { provider, shutdown: () => provider.shutdown() }
}
