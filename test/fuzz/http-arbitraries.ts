/**
 * fast-check arbitraries for the HTTP around a message: header variants (Content-Type, Accept,
 * Mcp-Session-Id, MCP-Protocol-Version, duplicates) and raw bodies (random bytes, broken UTF-8,
 * deep nesting, sizes around the limit).
 */
import fc from 'fast-check'

const encoder = new TextEncoder()

export const CONTENT_TYPES = [
  'application/json',
  'APPLICATION/JSON',
  'application/json; charset=utf-8',
  'application/json;charset=UTF-16',
  'application/json ; foo=bar',
  'application/jsonx',
  'application/json-rpc',
  'application/x-www-form-urlencoded',
  'text/plain',
  'text/event-stream',
  'multipart/form-data; boundary=x',
  '',
  ';;;',
  'application/json, text/plain',
]

export const ACCEPTS = [
  'application/json, text/event-stream',
  'text/event-stream, application/json',
  'application/json',
  'text/event-stream',
  '*/*',
  'application/*, text/*',
  'application/json;q=0, text/event-stream;q=0',
  '',
  'application/json, text/event-stream, '.repeat(200),
]

export const PROTOCOL_VERSIONS = [
  '2024-11-05',
  '2025-03-26',
  '2025-06-18',
  '2025-11-25',
  '2026-07-28',
  '2099-01-01',
  'garbage',
  '',
  '2025-11-25, 2026-07-28',
  '9'.repeat(4_000),
]

/** A header value: printable ASCII (what fetch lets through), sometimes very long. */
const headerText = fc.oneof(
  fc.string({
    unit: fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code)),
    maxLength: 60,
  }),
  fc.constantFrom('a'.repeat(8_000), ' ', '\t', '00000000-0000-0000-0000-000000000000'),
)

/** Mcp-Session-Id: absent, live, garbage, or the live one with garbage around it. */
export function sessionHeader(liveId: string): fc.Arbitrary<string[]> {
  return fc.oneof<fc.Arbitrary<string[]>[]>(
    fc.constant([]),
    fc.constant([liveId]),
    headerText.map((text) => [text]),
    fc.constant([liveId, liveId]),
    headerText.map((text) => [liveId, text]),
    fc.constant([`${liveId} `]),
    fc.constant([liveId.toUpperCase()]),
  )
}

export interface HeaderChoice {
  contentType: string[]
  accept: string[]
  protocolVersion: string[]
  mcpMethod: string[]
  sessionIds: string[]
}

/** Headers, each absent, single or repeated (repeats reach the server comma-joined). */
export function headerChoice(liveId: string): fc.Arbitrary<HeaderChoice> {
  const none: fc.Arbitrary<string[]> = fc.constant([])
  const repeated = (values: fc.Arbitrary<string>): fc.Arbitrary<string[]> =>
    fc.oneof(
      { weight: 6, arbitrary: values.map((value) => [value]) },
      none,
      fc.array(values, { minLength: 2, maxLength: 3 }),
    )
  return fc.record({
    contentType: repeated(fc.oneof(fc.constantFrom(...CONTENT_TYPES), headerText)),
    accept: repeated(fc.oneof(fc.constantFrom(...ACCEPTS), headerText)),
    protocolVersion: fc.oneof(
      { weight: 3, arbitrary: none },
      repeated(fc.constantFrom(...PROTOCOL_VERSIONS)),
    ),
    mcpMethod: fc.oneof(
      { weight: 3, arbitrary: none },
      repeated(fc.constantFrom('tools/list', 'ping', 'x', '')),
    ),
    sessionIds: sessionHeader(liveId),
  })
}

export function toHeaders(choice: HeaderChoice): Headers {
  const headers = new Headers()
  const add = (name: string, values: string[]) => {
    for (const value of values) headers.append(name, value)
  }
  add('content-type', choice.contentType)
  add('accept', choice.accept)
  add('mcp-protocol-version', choice.protocolVersion)
  add('mcp-method', choice.mcpMethod)
  add('mcp-session-id', choice.sessionIds)
  return headers
}

/** Bodies that are not what a JSON parser hopes for. */
export function rawBody(limit: number): fc.Arbitrary<Uint8Array> {
  const text = (value: string) => encoder.encode(value)
  const ping = '{"jsonrpc":"2.0","id":1,"method":"ping"}'
  const nest = (open: string, close: string, depth: number) => `${open.repeat(depth)}${close.repeat(depth)}`
  const padded = (size: number) => {
    const head = '{"jsonrpc":"2.0","id":1,"method":"ping","params":{"pad":"'
    return text(`${head}${'x'.repeat(Math.max(0, size - head.length - 3))}"}}`)
  }
  return fc.oneof(
    fc.uint8Array({ maxLength: 512 }),
    fc.constant(new Uint8Array()),
    fc.constantFrom(' ', '\n', 'null', '0', '""', '{}', '[]', '[[]]', '[{}]', '{"jsonrpc":"2.0"}').map(text),
    fc.integer({ min: 1, max: 20_000 }).map((depth) => text(nest('[', ']', depth))),
    fc
      .integer({ min: 1, max: 5_000 })
      .map((depth) =>
        text(
          `{"jsonrpc":"2.0","id":1,"method":"ping","params":${nest('{"a":', '}', depth).replace(/:\}/, ':1}')}}`,
        ),
      ),
    fc
      .integer({ min: 1, max: 20_000 })
      .map((depth) =>
        text(
          `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"text":${nest('[', ']', depth)}}}}`,
        ),
      ),
    // Valid JSON around bytes that are not UTF-8 (lone continuation bytes, overlongs, surrogates).
    fc
      .tuple(
        fc.nat(ping.length),
        fc.constantFrom(
          [0xff],
          [0xc0, 0x80],
          [0xed, 0xa0, 0x80],
          [0x80],
          [0xf8, 0x88, 0x80, 0x80, 0x80],
          [0xe2, 0x82],
        ),
      )
      .map(([at, bytes]) => {
        const head = text(ping.slice(0, at))
        const tail = text(ping.slice(at))
        return new Uint8Array([...head, ...bytes, ...tail])
      }),
    fc
      .constantFrom(
        '\ufeff{"jsonrpc":"2.0","id":1,"method":"ping"}',
        '{"jsonrpc":"2.0","id":1,"method":"ping"} trailing',
        '{"jsonrpc":"2.0","id":1,"id":2,"method":"ping","method":"tools/list"}',
        '{"jsonrpc":"2.0","id":1,"method":"ping\\u0000"}',
        '{"jsonrpc":"2.0","id":1e400,"method":"ping"}',
        '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"text":"\\ud800"}}}',
        '{"jsonrpc":"2.0","id":1,"method":"ping"}{"jsonrpc":"2.0","id":2,"method":"ping"}',
      )
      .map(text),
    fc.integer({ min: -64, max: 64 }).map((delta) => padded(limit + delta)),
  )
}
