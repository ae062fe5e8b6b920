import { expect, test } from 'bun:test'
import { refuseParamHeaderMismatch } from '../../../src/app/param-headers.ts'

const schemas: Record<string, unknown> = {
  deploy: {
    type: 'object',
    properties: { region: { type: 'string', 'x-mcp-header': 'Region' } },
  },
}
const inputSchemaOf = (name: string) => schemas[name]

function post(headers: Record<string, string> = {}): Request {
  return new Request('http://localhost/mcp', { method: 'POST', headers })
}

function call(name: unknown, args: unknown, id: unknown = 7) {
  return { jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args } }
}

test('a tools/call whose Mcp-Param header disagrees with its arguments gets 400 with -32020 and its id', async () => {
  const response = refuseParamHeaderMismatch(
    post({ 'Mcp-Param-Region': 'eu-west1' }),
    call('deploy', { region: 'us-west1' }),
    inputSchemaOf,
  )
  expect(response?.status).toBe(400)
  expect(await response?.json()).toEqual({
    jsonrpc: '2.0',
    id: 7,
    error: {
      code: -32020,
      message:
        'Bad Request: the request headers and body disagree: ' +
        'the Mcp-Param-Region header does not match region in the body',
    },
  })
})

test('a refused call without an id is answered with id null', async () => {
  const body = { method: 'tools/call', params: { name: 'deploy', arguments: { region: 'x' } } }
  const response = refuseParamHeaderMismatch(post(), body, inputSchemaOf)
  expect(await response?.json()).toMatchObject({ id: null, error: { code: -32020 } })
})

test.each([
  ['headers that agree', post({ 'Mcp-Param-Region': 'us-west1' }), call('deploy', { region: 'us-west1' })],
  ['a tool with no declared headers', post(), call('other', { region: 'us-west1' })],
  ['a tool name that is not a string', post(), call(42, { region: 'us-west1' })],
  ['a call without params', post(), { jsonrpc: '2.0', id: 1, method: 'tools/call' }],
  [
    'another method',
    post(),
    { jsonrpc: '2.0', id: 1, method: 'prompts/get', params: { name: 'deploy', arguments: { region: 'x' } } },
  ],
  ['a batch', post(), [call('deploy', { region: 'us-west1' })]],
  ['no body', post(), undefined],
  ['a null body', post(), null],
  ['a body that is not an object', post(), 'tools/call'],
])('%s passes', (_what, request, body) => {
  expect(refuseParamHeaderMismatch(request, body, inputSchemaOf)).toBeUndefined()
})
