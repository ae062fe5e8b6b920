import { expect, test } from 'bun:test'
import { unwrapCallTool } from '../../../src/aggregate/tool-search.ts'

const callTool = (args: unknown, id = 1) => ({
  jsonrpc: '2.0',
  id,
  method: 'tools/call',
  params: { name: 'call_tool', arguments: args, _meta: { progressToken: 7 } },
})

test('call_tool becomes the call it names, keeping its id and _meta', () => {
  expect(unwrapCallTool(callTool({ name: 'echo', arguments: { text: 'hi' } }))).toEqual({
    jsonrpc: '2.0',
    id: 1,
    method: 'tools/call',
    params: { name: 'echo', arguments: { text: 'hi' }, _meta: { progressToken: 7 } },
  })
  expect(unwrapCallTool(callTool({ name: 'ping' }))).toMatchObject({
    params: { name: 'ping', arguments: {} },
  })
})

test('other requests, and a call_tool that names no tool, are returned as they are', () => {
  const other = { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'echo', arguments: {} } }
  const nameless = callTool({ arguments: {} })
  expect(unwrapCallTool(other)).toBe(other)
  expect(unwrapCallTool(nameless)).toBe(nameless)
  expect(unwrapCallTool(null)).toBe(null)
})

test('in a batch, each call_tool is unwrapped; a batch with none is the same array', () => {
  const batch = [callTool({ name: 'echo' }, 1), { jsonrpc: '2.0', method: 'notifications/initialized' }]
  expect(unwrapCallTool(batch)).toEqual([
    {
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/call',
      params: { name: 'echo', arguments: {}, _meta: { progressToken: 7 } },
    },
    batch[1],
  ])
  const plain = [batch[1]]
  expect(unwrapCallTool(plain)).toBe(plain)
})
