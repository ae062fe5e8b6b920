import type { TracerProvider } from '@opentelemetry/api'
import type { SdkOptions } from './otel-sdk.ts'
import type { Tracing } from './tracing.ts'

/** `tracing` as configured (every field optional). */
export type TracingSettings = Partial<Pick<SdkOptions, 'sampleRatio' | 'serviceName' | 'protocol'>> & {
  endpoint?: string
}

/** Tracing as configured: the SDK and its OTLP exporter are imported only when it is on. */
export async function setUpTracing(
  config: TracingSettings | undefined,
  provider: TracerProvider | undefined,
  losses: Pick<SdkOptions, 'warn' | 'lost'>,
): Promise<Tracing | undefined> {
  if (!config && !provider) return undefined
  if (provider) {
    const { otelTracing } = await import('./otel-tracing.ts')
    return otelTracing(provider, async () => {})
  }
  const { otelSdk } = await import('./otel-sdk.ts')
  return otelSdk({
    url: config?.endpoint ?? 'http://localhost:4318/v1/traces',
    serviceName: config?.serviceName ?? 'proxmcp',
    sampleRatio: config?.sampleRatio ?? 1,
    protocol: config?.protocol ?? 'http/protobuf',
    ...losses,
  })
}
