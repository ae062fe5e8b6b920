import type { ProxyConfigInput } from '../config/schema.ts'

/**
 * Tracing from the standard OpenTelemetry variables, for a CLI started without `tracing` in its
 * config: on when an OTLP endpoint is set (`OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`, or
 * `OTEL_EXPORTER_OTLP_ENDPOINT` + `/v1/traces`), named by `OTEL_SERVICE_NAME`, sampled by
 * `OTEL_TRACES_SAMPLER_ARG` when `OTEL_TRACES_SAMPLER` is a trace-id ratio, encoded as
 * `OTEL_EXPORTER_OTLP_TRACES_PROTOCOL` or `OTEL_EXPORTER_OTLP_PROTOCOL` says (`http/protobuf`, `http/json`).
 */
export function tracingFromEnv(env: Record<string, string | undefined>): ProxyConfigInput['tracing'] {
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT?.replace(/\/+$/, '')
  const endpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? (base ? `${base}/v1/traces` : undefined)
  if (!endpoint || env.OTEL_SDK_DISABLED === 'true') return undefined
  const ratio = /traceidratio$/.test(env.OTEL_TRACES_SAMPLER ?? '')
    ? Number(env.OTEL_TRACES_SAMPLER_ARG)
    : Number.NaN
  const protocol = env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? env.OTEL_EXPORTER_OTLP_PROTOCOL
  return {
    endpoint,
    ...((protocol === 'http/json' || protocol === 'http/protobuf') && { protocol }),
    ...(env.OTEL_SERVICE_NAME && { serviceName: env.OTEL_SERVICE_NAME }),
    ...(Number.isFinite(ratio) && { sampleRatio: ratio }),
  }
}
