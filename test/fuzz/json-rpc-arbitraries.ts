/**
 * fast-check arbitraries for malformed JSON-RPC: wrong types in every field, extreme ids,
 * random methods, mutated params, batches. They produce JSON text, so ids such as 1e400 or
 * 30-digit integers reach the proxy exactly as written.
 */
import fc from 'fast-check'

/** Methods the proxy serves or relays, and a few it must refuse. Tools that legitimately run long
 * (`wait`, `progress`) and `subscriptions/listen` (a stream that stays open) are left out: they
 * would turn an unbounded input into a legitimately slow answer. */
export const METHODS = [
  'initialize',
  'ping',
  'tools/list',
  'tools/call',
  'prompts/list',
  'prompts/get',
  'resources/list',
  'resources/read',
  'resources/templates/list',
  'resources/subscribe',
  'resources/unsubscribe',
  'completion/complete',
  'logging/setLevel',
  'server/discover',
  'notifications/initialized',
  'notifications/cancelled',
  'notifications/progress',
  'notifications/roots/list_changed',
  'sampling/createMessage',
  'elicitation/create',
  'roots/list',
] as const

const TOOL_NAMES = [
  'echo',
  'alpha_only',
  'fail',
  'log',
  'meta_echo',
  'touch',
  'ask_name',
  'sample',
  'list_roots',
]

/** Any JSON value, small. */
const anyJson = fc.jsonValue({ maxDepth: 3 })

/** A value of a type a field rarely expects. */
export const wrongType: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, true, false, 0, -1, 1.5, 1e308, -1e308, '', ' ', '\u0000', [], {}),
  fc.string({ maxLength: 20 }),
  fc.integer(),
  fc.array(anyJson, { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), anyJson, { maxKeys: 3 }),
  fc.string({ minLength: 2_000, maxLength: 4_000 }),
)

/** Ids as raw JSON text: valid, extreme, fractional, of the wrong type, or absent. */
export const rawId: fc.Arbitrary<string | undefined> = fc.oneof(
  fc.integer().map(String),
  fc.string({ maxLength: 30 }).map((text) => JSON.stringify(text)),
  fc.constantFrom(
    '0',
    '-0',
    '-1',
    '9007199254740993',
    '123456789012345678901234567890',
    '1e308',
    '1e400',
    '-1e400',
    '1.5',
    '1e-400',
    'null',
    'true',
    '{}',
    '[]',
    '[1]',
    '{"id":1}',
  ),
  fc.string({ minLength: 5_000, maxLength: 10_000 }).map((text) => JSON.stringify(text)),
  fc.constant(undefined),
)

/** Params that fit the method, as a starting point for mutation. */
function templateFor(method: string, tool: string): Record<string, unknown> {
  switch (method) {
    case 'initialize':
      return { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'fuzz', version: '1' } }
    case 'tools/call':
      return { name: tool, arguments: { text: 'fuzz' } }
    case 'prompts/get':
      return { name: 'greet', arguments: { who: 'fuzz' } }
    case 'resources/read':
    case 'resources/subscribe':
    case 'resources/unsubscribe':
      return { uri: 'fixture://alpha/info' }
    case 'completion/complete':
      return { ref: { type: 'ref/prompt', name: 'greet' }, argument: { name: 'who', value: 'f' } }
    case 'logging/setLevel':
      return { level: 'info' }
    case 'notifications/cancelled':
      return { requestId: 1, reason: 'fuzz' }
    case 'notifications/progress':
      return { progressToken: 1, progress: 1 }
    default:
      return { cursor: undefined }
  }
}

/** Mutations of one params object: drop, retype or add fields, or swap it for anything at all. */
function paramsFor(method: string): fc.Arbitrary<unknown> {
  const mutated = fc
    .record({
      tool: fc.oneof(fc.constantFrom(...TOOL_NAMES), fc.string({ maxLength: 12 })),
      drop: fc.array(fc.nat(5), { maxLength: 2 }),
      retype: fc.array(fc.tuple(fc.nat(5), wrongType), { maxLength: 2 }),
      extra: fc.dictionary(fc.constantFrom('_meta', 'cursor', 'name', 'extra', '__proto__'), wrongType, {
        maxKeys: 2,
      }),
    })
    .map(({ tool, drop, retype, extra }) => {
      const params: Record<string, unknown> = { ...templateFor(method, tool) }
      const keys = Object.keys(params)
      for (const index of drop) delete params[keys[index % Math.max(1, keys.length)] as string]
      for (const [index, value] of retype) params[keys[index % Math.max(1, keys.length)] ?? 'x'] = value
      return { ...params, ...extra }
    })
  return fc.oneof(
    { weight: 6, arbitrary: mutated },
    { weight: 1, arbitrary: fc.constant(undefined) },
    { weight: 2, arbitrary: wrongType },
  )
}

export interface FuzzMessage {
  method: unknown
  params: unknown
  id: string | undefined
  jsonrpc: unknown
  /** The raw JSON text of the message. */
  text: string
}

/** Renders a message with its id spliced in as raw JSON text. */
function render(fields: Omit<FuzzMessage, 'text'>): string {
  const body: Record<string, unknown> = {}
  if (fields.jsonrpc !== undefined) body.jsonrpc = fields.jsonrpc
  if (fields.method !== undefined) body.method = fields.method
  if (fields.params !== undefined) body.params = fields.params
  const json = JSON.stringify(body)
  if (fields.id === undefined) return json
  return json === '{}' ? `{"id":${fields.id}}` : `{"id":${fields.id},${json.slice(1)}`
}

/** One JSON-RPC message, usually close to valid, with something wrong in it. */
export const fuzzMessage: fc.Arbitrary<FuzzMessage> = fc
  .record({
    method: fc.oneof(
      { weight: 8, arbitrary: fc.constantFrom<unknown>(...METHODS) },
      { weight: 1, arbitrary: fc.string({ maxLength: 30 }) },
      { weight: 1, arbitrary: wrongType },
    ),
    jsonrpc: fc.oneof(
      { weight: 8, arbitrary: fc.constant<unknown>('2.0') },
      { weight: 1, arbitrary: fc.constantFrom<unknown>('1.0', 2, '2.0 ', null, ['2.0'], undefined) },
    ),
    id: rawId,
  })
  .chain(({ method, jsonrpc, id }) =>
    paramsFor(typeof method === 'string' ? method : 'ping').map((params) => {
      const fields = { method, jsonrpc, id, params }
      return { ...fields, text: render(fields) }
    }),
  )

/** A batch: empty, small, or past the SDK's cap of 100, mixing valid and broken messages. */
export const fuzzBatch: fc.Arbitrary<string> = fc
  .oneof(
    { weight: 4, arbitrary: fc.array(fuzzMessage, { maxLength: 8 }) },
    { weight: 1, arbitrary: fc.array(fuzzMessage, { minLength: 95, maxLength: 130 }) },
  )
  .map((messages) => `[${messages.map((message) => message.text).join(',')}]`)
