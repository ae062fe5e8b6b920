import { expect, test } from 'bun:test'
import { readBoundedText } from '../../../src/app/read-body.ts'

function streamed(parts: string[]): Request {
  const encoder = new TextEncoder()
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const part of parts) controller.enqueue(encoder.encode(part))
      controller.close()
    },
  })
  return new Request('http://proxy.test/mcp', { method: 'POST', body })
}

test('a declared length over the limit is refused before the body is read', async () => {
  const request = new Request('http://proxy.test/mcp', {
    method: 'POST',
    headers: { 'content-length': '11' },
    body: 'x'.repeat(11),
  })
  expect(await readBoundedText(request, 10)).toBeUndefined()
  expect(request.bodyUsed).toBe(false)
})

test('a declared length within the limit is read whole', async () => {
  const request = new Request('http://proxy.test/mcp', {
    method: 'POST',
    headers: { 'content-length': '10' },
    body: '{"a":"é"}',
  })
  expect(await readBoundedText(request, 64)).toBe('{"a":"é"}')
})

test('a streamed body is counted as it arrives and refused once over the limit', async () => {
  expect(await readBoundedText(streamed(['12345', '67890', 'x']), 10)).toBeUndefined()
})

test('a streamed body within the limit is joined, multi-byte characters split across chunks included', async () => {
  const bytes = new TextEncoder().encode('{"k":"€"}')
  const request = new Request('http://proxy.test/mcp', {
    method: 'POST',
    body: new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes.subarray(0, 7))
        controller.enqueue(bytes.subarray(7))
        controller.close()
      },
    }),
  })
  expect(await readBoundedText(request, 64)).toBe('{"k":"€"}')
})

test('no body reads as empty text', async () => {
  expect(await readBoundedText(new Request('http://proxy.test/mcp', { method: 'POST' }), 10)).toBe('')
})
