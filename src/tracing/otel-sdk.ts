import type { TracerProvider as ApiTracerProvider } from '@opentelemetry/api'
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http'
import { resourceFromAttributes } from '@opentelemetry/resources'
import {
  BatchSpanProcessor,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  TracerProvider,
} from '@opentelemetry/sdk-trace'

export interface SdkOptions {
  /** The OTLP/HTTP traces URL (`…/v1/traces`). */
  url: string
  serviceName: string
  /** The share of new traces kept; a client's sampled flag is followed as it is. */
  sampleRatio: number
}

/** The OpenTelemetry SDK exporting to an OTLP/HTTP collector: loaded only when tracing is on. */
export function otelSdk({ url, serviceName, sampleRatio }: SdkOptions): {
  provider: ApiTracerProvider
  shutdown: () => Promise<void>
} {
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': serviceName }),
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(sampleRatio) }),
    spanProcessors: [
      new BatchSpanProcessor({
        exporter: new OTLPTraceExporter({ url }),
        // The SDK's defaults (2,048 queued, sent every 5 s) drop spans past about 400 requests a second.
        scheduledDelayMillis: 1_000,
        maxQueueSize: 32_768,
        maxExportBatchSize: 4_096,
      }),
    ],
  })
  return { provider, shutdown: () => provider.shutdown() }
}
