import type { Attributes, AttributeValue, HrTime } from '@opentelemetry/api'
import { type IExportTraceServiceResponse, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer'
import type { ReadableSpan } from '@opentelemetry/sdk-trace'
import { ProtoWriter } from './proto-writer.ts'

/** Above what one of ProxMCP's spans takes, so a batch's buffer seldom grows. */
const BYTES_PER_SPAN = 512
const HAS_IS_REMOTE = 0x100
const IS_REMOTE = 0x200

/**
 * An OTLP `ExportTraceServiceRequest` in protobuf, byte for byte what the SDK's
 * `ProtobufTraceSerializer` writes, in one pass and without per-span allocations: the SDK's
 * measures every field twice and converts each id through a new array, which made serializing
 * a traced request cost more than recording it.
 */
export const otlpProtobuf = {
  serializeRequest(spans: ReadableSpan[]): Uint8Array {
    const writer = new ProtoWriter(1024 + spans.length * BYTES_PER_SPAN)
    for (const [resource, scopes] of byResourceAndScope(spans)) {
      const resourceSpans = writer.begin(1)
      const resourceAt = writer.begin(1)
      writeAttributes(writer, resource.attributes, 1)
      writer.tag(2, 0)
      writer.varint(0)
      writer.end(resourceAt)
      for (const scoped of scopes.values()) {
        const scope = (scoped[0] as ReadableSpan).instrumentationScope
        const scopeSpans = writer.begin(2)
        const scopeAt = writer.begin(1)
        writer.tag(1, 2)
        writer.string(scope.name)
        if (scope.version) {
          writer.tag(2, 2)
          writer.string(scope.version)
        }
        writer.end(scopeAt)
        for (const span of scoped) writeSpan(writer, span)
        if (scope.schemaUrl) {
          writer.tag(3, 2)
          writer.string(scope.schemaUrl)
        }
        writer.end(scopeSpans)
      }
      if (resource.schemaUrl) {
        writer.tag(3, 2)
        writer.string(resource.schemaUrl)
      }
      writer.end(resourceSpans)
    }
    return writer.finish()
  },
  deserializeResponse: (data: Uint8Array): IExportTraceServiceResponse =>
    ProtobufTraceSerializer.deserializeResponse(data),
}

function writeSpan(writer: ProtoWriter, span: ReadableSpan): void {
  const at = writer.begin(2)
  const context = span.spanContext()
  writer.tag(1, 2)
  writer.hexBytes(context.traceId)
  writer.tag(2, 2)
  writer.hexBytes(context.spanId)
  const traceState = context.traceState?.serialize()
  if (traceState) {
    writer.tag(3, 2)
    writer.string(traceState)
  }
  const parent = span.parentSpanContext
  if (parent?.spanId) {
    writer.tag(4, 2)
    writer.hexBytes(parent.spanId)
  }
  writer.tag(5, 2)
  writer.string(span.name)
  writer.tag(6, 0)
  writer.varint(span.kind + 1)
  writeTime(writer, 7, span.startTime)
  writeTime(writer, 8, span.endTime)
  writeAttributes(writer, span.attributes, 9)
  writer.tag(10, 0)
  writer.varint(span.droppedAttributesCount)
  for (const event of span.events) {
    const eventAt = writer.begin(11)
    writeTime(writer, 1, event.time)
    writer.tag(2, 2)
    writer.string(event.name)
    if (event.attributes) writeAttributes(writer, event.attributes, 3)
    writer.tag(4, 0)
    writer.varint(event.droppedAttributesCount ?? 0)
    writer.end(eventAt)
  }
  writer.tag(12, 0)
  writer.varint(span.droppedEventsCount)
  // ProxMCP's spans have no links; a span that has them is not one of its own.
  if (span.links.length > 0) throw new Error('otlpProtobuf does not write span links')
  writer.tag(14, 0)
  writer.varint(span.droppedLinksCount)
  const status = writer.begin(15)
  if (span.status.message) {
    writer.tag(2, 2)
    writer.string(span.status.message)
  }
  writer.tag(3, 0)
  writer.varint(span.status.code)
  writer.end(status)
  writer.tag(16, 5)
  writer.fixed32((context.traceFlags & 0xff) | HAS_IS_REMOTE | (parent?.isRemote ? IS_REMOTE : 0))
  writer.end(at)
}

function writeTime(writer: ProtoWriter, field: number, [seconds, nanos]: HrTime): void {
  writer.tag(field, 1)
  writer.nanos(seconds, nanos)
}

function writeAttributes(writer: ProtoWriter, attributes: Attributes, field: number): void {
  for (const key in attributes) {
    const value = attributes[key]
    if (value === undefined) continue
    const pair = writer.begin(field)
    writer.tag(1, 2)
    writer.string(key)
    const valueAt = writer.begin(2)
    writeValue(writer, value)
    writer.end(valueAt)
    writer.end(pair)
  }
}

function writeValue(writer: ProtoWriter, value: AttributeValue | null | undefined): void {
  if (typeof value === 'string') {
    writer.tag(1, 2)
    writer.string(value)
  } else if (typeof value === 'boolean') {
    writer.tag(2, 0)
    writer.varint(value ? 1 : 0)
  } else if (typeof value === 'number') {
    if (Number.isSafeInteger(value) && value >= 0) {
      writer.tag(3, 0)
      writer.varint(value)
    } else {
      writer.tag(4, 1)
      writer.double(value)
    }
  } else if (Array.isArray(value)) {
    const array = writer.begin(5)
    for (const item of value) {
      const itemAt = writer.begin(1)
      writeValue(writer, item)
      writer.end(itemAt)
    }
    writer.end(array)
  }
}

function byResourceAndScope(spans: ReadableSpan[]) {
  const resources = new Map<
    ReadableSpan['resource'],
    Map<ReadableSpan['instrumentationScope'], ReadableSpan[]>
  >()
  for (const span of spans) {
    let scopes = resources.get(span.resource)
    if (!scopes) {
      scopes = new Map()
      resources.set(span.resource, scopes)
    }
    const scoped = scopes.get(span.instrumentationScope)
    if (scoped) scoped.push(span)
    else scopes.set(span.instrumentationScope, [span])
  }
  return resources
}
