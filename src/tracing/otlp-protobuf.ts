import type { Attributes, AttributeValue, HrTime } from '@opentelemetry/api'
import {
  type IExportTraceServiceResponse,
  type ISerializer,
  ProtobufTraceSerializer,
} from '@opentelemetry/otlp-transformer'
import type { ReadableSpan } from '@opentelemetry/sdk-trace'
import { ProtoWriter, varintSize } from './proto-writer.ts'

/** Spans already written as the `spans` fields of an OTLP `ScopeSpans`, ready to send. */
export interface EncodedSpans {
  bytes: Uint8Array
  count: number
  /**
   * Free bytes before `bytes` in its buffer: where the envelope fits there, it is written there
   * and the spans are sent without a copy.
   */
  room?: number
}

/** Free bytes to leave before a batch's spans for the envelope: a resource of a few attributes fits. */
export const ENVELOPE_ROOM = 512

const HAS_IS_REMOTE = 0x100
const IS_REMOTE = 0x200

/**
 * The exporter's serializer for spans written as they ended (see `SpanBatches`): it wraps them in
 * an `ExportTraceServiceRequest` of one resource and one instrumentation scope, byte for byte what
 * the SDK's `ProtobufTraceSerializer` writes for the same spans, as long as their attribute values
 * are what ProxMCP sets: strings, booleans, non-negative integers and other numbers. (The SDK writes
 * a negative integer as a varint, where this writes a double.)
 */
export function otlpBatchSerializer(
  resource: ReadableSpan['resource'],
  scope: ReadableSpan['instrumentationScope'],
): ISerializer<EncodedSpans, IExportTraceServiceResponse> {
  const resourceField = bytesOf((writer) => {
    const at = writer.begin(1)
    writeAttributes(writer, resource.attributes, 1)
    writer.tag(2, 0)
    writer.varint(0)
    writer.end(at)
  })
  const scopeField = bytesOf((writer) => {
    const at = writer.begin(1)
    writer.tag(1, 2)
    writer.string(scope.name)
    if (scope.version) {
      writer.tag(2, 2)
      writer.string(scope.version)
    }
    writer.end(at)
  })
  const scopeSchema = schemaField(scope.schemaUrl)
  const resourceSchema = schemaField(resource.schemaUrl)
  return {
    serializeRequest({ bytes, room = 0 }) {
      const scopeLength = scopeField.length + bytes.length + scopeSchema.length
      const resourceLength =
        resourceField.length + 1 + varintSize(scopeLength) + scopeLength + resourceSchema.length
      const head = new ProtoWriter(new Uint8Array(resourceField.length + scopeField.length + 32))
      head.tag(1, 2)
      head.varint(resourceLength)
      head.raw(resourceField)
      head.tag(2, 2)
      head.varint(scopeLength)
      head.raw(scopeField)
      const envelope = head.written()
      const tail = scopeSchema.length + resourceSchema.length
      if (tail === 0 && envelope.length <= room) {
        const request = new Uint8Array(
          bytes.buffer,
          bytes.byteOffset - envelope.length,
          envelope.length + bytes.length,
        )
        request.set(envelope)
        return request
      }
      const request = new Uint8Array(envelope.length + bytes.length + tail)
      request.set(envelope)
      request.set(bytes, envelope.length)
      request.set(scopeSchema, envelope.length + bytes.length)
      request.set(resourceSchema, envelope.length + bytes.length + scopeSchema.length)
      return request
    },
    deserializeResponse: (data) => ProtobufTraceSerializer.deserializeResponse(data),
  }
}

function bytesOf(write: (writer: ProtoWriter) => void): Uint8Array {
  const writer = new ProtoWriter(new Uint8Array(256))
  write(writer)
  return writer.written().slice()
}

/** The `schema_url` field (3) of a resource or scope, or no bytes. */
function schemaField(url: string | undefined): Uint8Array {
  return bytesOf((writer) => {
    if (!url) return
    writer.tag(3, 2)
    writer.string(url)
  })
}

/** One span, as a `spans` field of `ScopeSpans` (field for field in the SDK's order). */
export function writeSpan(writer: ProtoWriter, span: ReadableSpan): void {
  // ProxMCP's spans have no links; a span that has them is not one of its own.
  if (span.links.length > 0) throw new Error('otlp-protobuf does not write span links')
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
