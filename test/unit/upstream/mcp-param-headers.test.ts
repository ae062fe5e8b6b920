import { describe, expect, test } from 'bun:test'
import { mcpParamHeaders, mcpParamMismatch } from '../../../src/upstream/mcp-param-headers.ts'

const schema = {
  type: 'object',
  'x-mcp-header': 'Root',
  properties: {
    region: { type: 'string', 'x-mcp-header': 'Region' },
    count: { type: 'integer', 'x-mcp-header': 'Count' },
    ratio: { type: 'number', 'x-mcp-header': 'Ratio' },
    dryRun: { type: 'boolean', 'x-mcp-header': 'Dry-Run' },
    options: {
      type: 'object',
      properties: { tenant: { type: 'string', 'x-mcp-header': 'Tenant' } },
    },
    tags: { type: 'array', items: { type: 'string', 'x-mcp-header': 'Tag' } },
    note: { type: 'string', 'x-mcp-header': '' },
    body: { type: 'string' },
  },
}

const base64 = (text: string) => `=?base64?${Buffer.from(text).toString('base64')}?=`

describe('mcpParamHeaders', () => {
  test('mirrors each declared argument, nested ones included, and nothing else', () => {
    const args = {
      region: 'us-west1',
      count: 42,
      ratio: 0.5,
      dryRun: false,
      options: { tenant: 'acme' },
      tags: ['a'],
      note: 'n',
      body: 'b',
    }
    expect(mcpParamHeaders(schema, args)).toEqual({
      'Mcp-Param-Region': 'us-west1',
      'Mcp-Param-Count': '42',
      'Mcp-Param-Ratio': '0.5',
      'Mcp-Param-Dry-Run': 'false',
      'Mcp-Param-Tenant': 'acme',
    })
  })

  test.each([
    ['absent', {}],
    ['null', { region: null }],
    ['an object', { region: { value: 'x' } }],
    ['an array', { region: ['x'] }],
    ['not finite', { count: Number.POSITIVE_INFINITY }],
    ['under a parent that is not an object', { options: 'acme' }],
  ])('an argument that is %s gets no header', (_what, args) => {
    expect(mcpParamHeaders(schema, args)).toEqual({})
  })

  test.each([
    ['a schema without properties', { type: 'object' }],
    ['no schema', undefined],
    ['a schema that is not an object', 'object'],
  ])('%s declares no header', (_what, inputSchema) => {
    expect(mcpParamHeaders(inputSchema, { region: 'x' })).toEqual({})
  })

  test.each([
    ['plain printable ASCII', 'us-west1', 'us-west1'],
    ['a tab inside', 'a\tb', 'a\tb'],
    ['non-ASCII', 'héllo', '=?base64?aMOpbGxv?='],
    ['an emoji', '🚀', base64('🚀')],
    ['a leading space', ' x', base64(' x')],
    ['a trailing tab', 'x\t', base64('x\t')],
    ['a newline inside', 'a\nb', base64('a\nb')],
    ['the empty string', '', '=?base64??='],
    ['a value that looks Base64-encoded itself', '=?base64?eA==?=', base64('=?base64?eA==?=')],
  ])('a string with %s: %p is sent as %p', (_what, region, header) => {
    expect(mcpParamHeaders(schema, { region })).toEqual({ 'Mcp-Param-Region': header })
  })
})

describe('mcpParamMismatch', () => {
  const mismatch = (args: unknown, headers: Record<string, string>) =>
    mcpParamMismatch(schema, args, new Headers(headers))

  test.each([
    ['plain', { region: 'us-west1' }, { 'Mcp-Param-Region': 'us-west1' }],
    ['a lower-case header name', { region: 'us-west1' }, { 'mcp-param-region': 'us-west1' }],
    ['Base64 where plain would do', { region: 'us-west1' }, { 'Mcp-Param-Region': base64('us-west1') }],
    ['Base64 for non-ASCII', { region: 'héllo' }, { 'Mcp-Param-Region': '=?base64?aMOpbGxv?=' }],
    ['an integer', { count: 42 }, { 'Mcp-Param-Count': '42' }],
    ['an integer written 42.0', { count: 42 }, { 'Mcp-Param-Count': '42.0' }],
    ['a number', { ratio: 0.5 }, { 'Mcp-Param-Ratio': '0.50' }],
    ['a boolean', { dryRun: true }, { 'Mcp-Param-Dry-Run': 'true' }],
    ['a nested argument', { options: { tenant: 'acme' } }, { 'Mcp-Param-Tenant': 'acme' }],
    ['a header whose argument is absent', {}, { 'Mcp-Param-Region': 'anything' }],
    ['a header whose argument is null', { region: null }, { 'Mcp-Param-Region': 'anything' }],
    ['no declared arguments at all', { body: 'b' }, {}],
  ])('headers and body agree: %s', (_what, args, headers) => {
    expect(mismatch(args, headers)).toBeUndefined()
  })

  test.each([
    [
      'a missing header',
      { region: 'us-west1' },
      {},
      'the body carries region but the Mcp-Param-Region header is absent',
    ],
    [
      'a missing nested header',
      { options: { tenant: 'acme' } },
      {},
      'the body carries options.tenant but the Mcp-Param-Tenant header is absent',
    ],
    [
      'another value',
      { region: 'us-west1' },
      { 'Mcp-Param-Region': 'eu-west1' },
      'the Mcp-Param-Region header does not match region in the body',
    ],
    [
      'a value differing in case',
      { region: 'us-west1' },
      { 'Mcp-Param-Region': 'US-WEST1' },
      'the Mcp-Param-Region header does not match region in the body',
    ],
    [
      'another number',
      { count: 42 },
      { 'Mcp-Param-Count': '43' },
      'the Mcp-Param-Count header does not match count in the body',
    ],
    [
      'an empty numeric header for 0',
      { count: 0 },
      { 'Mcp-Param-Count': '=?base64??=' },
      'the Mcp-Param-Count header does not match count in the body',
    ],
    [
      'a numeric string in a string-typed argument compared as text',
      { region: '42' },
      { 'Mcp-Param-Region': '42.0' },
      'the Mcp-Param-Region header does not match region in the body',
    ],
    [
      'a boolean in another case',
      { dryRun: true },
      { 'Mcp-Param-Dry-Run': 'True' },
      'the Mcp-Param-Dry-Run header does not match dryRun in the body',
    ],
    [
      'Base64 without padding',
      { region: 'x' },
      { 'Mcp-Param-Region': '=?base64?eA?=' },
      'the Mcp-Param-Region header carries an invalid Base64 value',
    ],
    [
      'Base64 with characters outside the alphabet',
      { region: 'x' },
      { 'Mcp-Param-Region': '=?base64?e-A=?=' },
      'the Mcp-Param-Region header carries an invalid Base64 value',
    ],
    [
      'Base64 of bytes that are not UTF-8',
      { region: 'x' },
      { 'Mcp-Param-Region': '=?base64?/w==?=' },
      'the Mcp-Param-Region header carries an invalid Base64 value',
    ],
  ])('headers and body disagree: %s', (_what, args, headers, reason) => {
    expect(mismatch(args, headers)).toBe(reason)
  })

  test('the first disagreement in schema order is the one reported', () => {
    const reason = mismatch({ region: 'a', count: 1 }, { 'Mcp-Param-Region': 'b' })
    expect(reason).toBe('the Mcp-Param-Region header does not match region in the body')
  })

  test.each([
    ['us-west1'],
    ['héllo wörld'],
    [' padded '],
    ['=?base64?eA==?='],
    [''],
    ['tab\there'],
    ['line\nbreak'],
  ])('the headers made for %p agree with their body', (region) => {
    const args = { region, count: -7, ratio: 1e-7, dryRun: true, options: { tenant: 'ü' } }
    expect(mcpParamMismatch(schema, args, new Headers(mcpParamHeaders(schema, args)))).toBeUndefined()
  })

  // The SDK client omits the header for an integer beyond Number.MAX_SAFE_INTEGER, so its calls are refused.
  test('an integer beyond 2^53, for which SDK clients send no header, needs none', () => {
    expect(mismatch({ count: 2 ** 53 + 2 }, {})).toBeUndefined()
  })

  // The SDK compares numerically only a plain decimal (/^-?\d+(\.\d+)?$/); anything else as text.
  test.each([['0x2A'], ['4.2e1'], ['+42'], [' 42']])(
    'a numeric header %p, not plain decimal, does not match 42 as the SDK rules',
    (header) => {
      expect(mismatch({ count: 42 }, { 'Mcp-Param-Count': base64(header) })).toBeString()
    },
  )
})
