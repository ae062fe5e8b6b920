import { expect, test } from 'bun:test'
import { SseEventReader } from '../../../src/forward/sse-event-reader.ts'

function readAll(chunks: string[]): string[] {
  const reader = new SseEventReader()
  return chunks.flatMap((chunk) => reader.feed(chunk))
}

const STREAM =
  ': keep-alive\n\n' +
  'event: message\nid: 1\ndata: {"jsonrpc":"2.0","method":"notifications/progress"}\n\n' +
  'data: first line\ndata: second line\n\n' +
  'data: {"jsonrpc":"2.0","id":1,"result":{}}\r\n\r\n'
const EVENTS = [
  '{"jsonrpc":"2.0","method":"notifications/progress"}',
  'first line\nsecond line',
  '{"jsonrpc":"2.0","id":1,"result":{}}',
]

test('a stream read in one chunk yields the data of each event in order', () => {
  expect(readAll([STREAM])).toEqual(EVENTS)
})

test('a stream cut in two anywhere, mid-line or between CR and LF, yields the same events', () => {
  const cuts = Array.from({ length: STREAM.length - 1 }, (_, index) => index + 1)
  const differing = cuts.filter(
    (cut) => !Bun.deepEquals(readAll([STREAM.slice(0, cut), STREAM.slice(cut)]), EVENTS),
  )
  expect(differing).toEqual([])
})

test('a stream fed one character at a time yields the same events', () => {
  expect(readAll([...STREAM])).toEqual(EVENTS)
})

test('an event is yielded only once its blank line arrives', () => {
  const reader = new SseEventReader()
  expect(reader.feed('data: a\n')).toEqual([])
  expect(reader.feed('data: b\n')).toEqual([])
  expect(reader.feed('\n')).toEqual(['a\nb'])
})

test('a line longer than many chunks is read whole', () => {
  const long = 'x'.repeat(10_000)
  const chunks = `data: ${long}\n\n`.match(/.{1,7}/gs) ?? []
  expect(readAll(chunks)).toEqual([long])
})

test.each([
  ['"data:" then one space', 'data: value\n\n', ['value']],
  ['"data:" without a space', 'data:value\n\n', ['value']],
  ['"data:" then two spaces: only one is removed', 'data:  value\n\n', [' value']],
  ['CRLF line endings', 'data: a\r\ndata: b\r\n\r\n', ['a\nb']],
  ['comments only', ': ping\n\n: ping\n\n', []],
  ['an event with only id and retry', 'id: 7\nretry: 1000\n\n', []],
  ['fields other than data ignored', 'event: x\ndata: d\nid: 3\n\n', ['d']],
  ['several blank lines between events', 'data: a\n\n\n\ndata: b\n\n', ['a', 'b']],
  ['a JSON message with a "data:" inside a string', 'data: {"text":"data: x"}\n\n', ['{"text":"data: x"}']],
  ['a "data" line without a colon, an empty data line', 'data\ndata: x\n\n', ['\nx']],
])('%s', (_what, stream, events) => {
  expect(readAll([stream])).toEqual(events)
})

// The SDK's priming event is `id: <id>\ndata: \n\n`; an empty data buffer dispatches no event (WHATWG).
test('a priming event (an id and one empty data line) yields nothing, as the doc says', () => {
  expect(readAll(['id: 0\ndata: \n\n'])).toEqual([])
})

test('a bare CR ends a line, as the SSE spec allows', () => {
  expect(readAll(['data: a\rdata: b\r\r'])).toEqual(['a\nb'])
})

test('a CRLF cut between its CR and LF is one line end, not two', () => {
  expect(readAll(['data: a\r', '\ndata: b\r\n\r\n'])).toEqual(['a\nb'])
  const bare = 'data: a\rdata: b\r\rdata: c\r\n\r\n'
  for (let cut = 1; cut < bare.length; cut++)
    expect(readAll([bare.slice(0, cut), bare.slice(cut)])).toEqual(['a\nb', 'c'])
})

test('an empty chunk between the CR and LF of a CRLF changes nothing', () => {
  expect(readAll(['data: a\r', '', '\ndata: b\r\n\r\n'])).toEqual(['a\nb'])
})

test('a whole CRLF ending one chunk does not swallow the LF that opens the next', () => {
  expect(readAll(['data: a\r\n', '\n', 'data: b\n\n'])).toEqual(['a', 'b'])
})

test('cut anywhere, a stream mixing LF, CRLF and bare CR reads as it does whole', () => {
  const stream = 'data: a\r\n\r\ndata: b\rdata: c\r\rdata: d\n\ndata: e\r\n\n: x\r\ndata: f\r\r'
  const whole = readAll([stream])
  expect(whole).toEqual(['a', 'b\nc', 'd', 'e', 'f'])
  for (let first = 1; first < stream.length; first++)
    for (let second = first; second < stream.length; second++)
      expect(readAll([stream.slice(0, first), stream.slice(first, second), stream.slice(second)])).toEqual(
        whole,
      )
})
