export interface ExportedSpan {
  traceId: string
  spanId: string
  parentSpanId?: string
  name: string
  kind: number
  attributes: { key: string; value: { stringValue?: string; intValue?: string | number } }[]
  events?: { name: string }[]
}

/**
 * A loopback OTLP/HTTP receiver: decodes what the exporter posts to /v1/traces, protobuf
 * (OTLP's default) or JSON, and keeps the spans and the content types it saw.
 */
export function otlpReceiver() {
  const spans: ExportedSpan[] = []
  const contentTypes = new Set<string>()
  const server = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    async fetch(request) {
      const type = request.headers.get('content-type') ?? ''
      contentTypes.add(type)
      const body = type.includes('json')
        ? ((await request.json()) as { resourceSpans: { scopeSpans: { spans: ExportedSpan[] }[] }[] })
        : decodeTraceRequest(new Uint8Array(await request.arrayBuffer()))
      for (const resource of body.resourceSpans)
        for (const scope of resource.scopeSpans) spans.push(...scope.spans)
      return Response.json({})
    },
  })
  return {
    url: `http://127.0.0.1:${server.port}/v1/traces`,
    spans,
    contentTypes,
    close: () => server.stop(true),
  }
}

export function attribute(span: ExportedSpan | undefined, key: string): string | number | undefined {
  const value = span?.attributes.find((entry) => entry.key === key)?.value
  return value?.stringValue ?? (value?.intValue === undefined ? undefined : Number(value.intValue))
}

type Field = { number: number; varint?: bigint; bytes?: Uint8Array }

/** The fields of one protobuf message, in order (wire types 0, 1, 2 and 5). */
function fields(buffer: Uint8Array): Field[] {
  const out: Field[] = []
  let at = 0
  const varint = (): bigint => {
    let value = 0n
    for (let shift = 0n; ; shift += 7n) {
      const byte = buffer[at++] as number
      value |= BigInt(byte & 0x7f) << shift
      if (byte < 0x80) return value
    }
  }
  while (at < buffer.length) {
    const tag = Number(varint())
    const number = tag >> 3
    const wire = tag & 7
    if (wire === 0) out.push({ number, varint: varint() })
    else if (wire === 2) {
      const length = Number(varint())
      out.push({ number, bytes: buffer.subarray(at, at + length) })
      at += length
    } else if (wire === 1 || wire === 5) {
      out.push({ number })
      at += wire === 1 ? 8 : 4
    } else throw new Error(`protobuf: wire type ${wire} at byte ${at}`)
  }
  return out
}

const text = new TextDecoder()
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex')
const nested = (message: Uint8Array, number: number) =>
  fields(message)
    .filter((field) => field.number === number && field.bytes)
    .map((field) => field.bytes as Uint8Array)

/** ExportTraceServiceRequest, as far as the tests read it (opentelemetry-proto's trace.proto). */
function decodeTraceRequest(body: Uint8Array) {
  return {
    resourceSpans: nested(body, 1).map((resource) => ({
      scopeSpans: nested(resource, 2).map((scope) => ({ spans: nested(scope, 2).map(decodeSpan) })),
    })),
  }
}

function decodeSpan(message: Uint8Array): ExportedSpan {
  const span: ExportedSpan = { traceId: '', spanId: '', name: '', kind: 0, attributes: [], events: [] }
  for (const field of fields(message)) {
    const bytes = field.bytes as Uint8Array
    if (field.number === 1) span.traceId = hex(bytes)
    else if (field.number === 2) span.spanId = hex(bytes)
    else if (field.number === 4 && bytes.length > 0) span.parentSpanId = hex(bytes)
    else if (field.number === 5) span.name = text.decode(bytes)
    else if (field.number === 6) span.kind = Number(field.varint)
    else if (field.number === 9) span.attributes.push(decodeKeyValue(bytes))
    else if (field.number === 11) span.events?.push({ name: text.decode(nested(bytes, 2)[0]) })
  }
  return span
}

function decodeKeyValue(message: Uint8Array): ExportedSpan['attributes'][number] {
  const entry: ExportedSpan['attributes'][number] = { key: '', value: {} }
  for (const field of fields(message)) {
    if (field.number === 1) entry.key = text.decode(field.bytes)
    if (field.number !== 2) continue
    for (const value of fields(field.bytes as Uint8Array)) {
      if (value.number === 1) entry.value.stringValue = text.decode(value.bytes)
      if (value.number === 3) entry.value.intValue = String(BigInt.asIntN(64, value.varint as bigint))
    }
  }
  return entry
}
