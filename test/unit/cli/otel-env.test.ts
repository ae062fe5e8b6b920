import { expect, test } from 'bun:test'
import { tracingFromEnv } from '../../../src/cli/otel-env.ts'

test('no OTLP endpoint, or the SDK disabled: tracing stays off', () => {
  expect(tracingFromEnv({})).toBeUndefined()
  expect(
    tracingFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SDK_DISABLED: 'true' }),
  ).toBeUndefined()
})

test('the base endpoint gets /v1/traces; a traces endpoint is taken as it is', () => {
  expect(tracingFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' })).toEqual({
    endpoint: 'http://collector:4318/v1/traces',
  })
  expect(
    tracingFromEnv({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://traces:9000/in',
    }),
  ).toEqual({ endpoint: 'http://traces:9000/in' })
})

test('service name, ratio sampler and protocol come from their variables; the traces protocol wins', () => {
  expect(
    tracingFromEnv({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
      OTEL_SERVICE_NAME: 'gateway',
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0.25',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json',
    }),
  ).toEqual({
    endpoint: 'http://collector:4318/v1/traces',
    serviceName: 'gateway',
    sampleRatio: 0.25,
    protocol: 'http/json',
  })
})

test('a protocol this exporter does not speak (grpc) keeps the default rather than failing', () => {
  expect(
    tracingFromEnv({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
    }),
  ).toEqual({ endpoint: 'http://collector:4318/v1/traces' })
})
