import { afterEach, expect, test } from 'bun:test'
import type { SuspendableCall } from '../../../src/forward/scope.ts'
import { Suspensions } from '../../../src/stateless/suspensions.ts'
import type { JsonObject, ServerToClientRequest } from '../../../src/upstream/link.ts'

const NAME: ServerToClientRequest = { method: 'elicitation/create', params: { message: 'Name?' } }
const ROOTS: ServerToClientRequest = { method: 'roots/list' }
const ACCEPT = { action: 'accept', content: { name: 'Ann' } }

interface Round {
  resultType: 'input_required'
  inputRequests: Record<string, ServerToClientRequest>
  requestState: string
}

let suspensions: Suspensions
afterEach(() => suspensions?.clear())

function fresh(): Suspensions {
  suspensions = new Suspensions()
  return suspensions
}

const round = () => new AbortController().signal

async function settle(run: () => Promise<JsonObject>): Promise<JsonObject | { rejected: unknown }> {
  try {
    return await run()
  } catch (error) {
    return { rejected: error }
  }
}

function deferred<T>() {
  let resolve!: (value: T) => void
  let reject!: (error: Error) => void
  const promise = new Promise<T>((ok, fail) => {
    resolve = ok
    reject = fail
  })
  return { promise, resolve, reject }
}

/** The input_required round a call paused with. */
async function roundOf(result: Promise<JsonObject>): Promise<Round> {
  const value = await result
  expect(value).toMatchObject({ resultType: 'input_required' })
  return value as unknown as Round
}

const askingName: SuspendableCall = async (ask, signal) => ({ answer: await ask(NAME, signal) })

test('a call that asks nothing answers with its result', async () => {
  expect(await fresh().start(async () => ({ content: [] }), round())).toEqual({ content: [] })
})

test('an upstream question becomes an input_required round, and the answer finishes the call', async () => {
  const s = fresh()
  const first = await roundOf(s.start(askingName, round()))
  expect(first).toEqual({
    resultType: 'input_required',
    inputRequests: { 'input-1': NAME },
    requestState: expect.any(String),
  })
  expect(Suspensions.owns(first.requestState)).toBe(true)
  expect(await s.resume(first.requestState, { 'input-1': ACCEPT }, round())).toEqual({ answer: ACCEPT })
})

test('questions raised together leave in one round', async () => {
  const s = fresh()
  const first = await roundOf(
    s.start(
      async (ask, signal) => ({ answers: await Promise.all([ask(NAME, signal), ask(ROOTS, signal)]) }),
      round(),
    ),
  )
  expect(first.inputRequests).toEqual({ 'input-1': NAME, 'input-2': ROOTS })
  const done = await s.resume(first.requestState, { 'input-1': ACCEPT, 'input-2': { roots: [] } }, round())
  expect(done).toEqual({ answers: [ACCEPT, { roots: [] }] })
})

test('a question asked after an answer starts another round', async () => {
  const s = fresh()
  const twice: SuspendableCall = async (ask, signal) => ({
    name: await ask(NAME, signal),
    roots: await ask(ROOTS, signal),
  })
  const first = await roundOf(s.start(twice, round()))
  const second = await roundOf(s.resume(first.requestState, { 'input-1': ACCEPT }, round()))
  expect(second).toMatchObject({ resultType: 'input_required', inputRequests: { 'input-2': ROOTS } })
  expect(Suspensions.owns(second.requestState)).toBe(true)
  const done = await s.resume(second.requestState, { 'input-2': { roots: [] } }, round())
  expect(done).toEqual({ name: ACCEPT, roots: { roots: [] } })
})

test('a question the upstream raises while the call is paused leaves in the next round', async () => {
  const s = fresh()
  const later = deferred<void>()
  const askedRoots = deferred<void>()
  const first = await roundOf(
    s.start(async (ask, signal) => {
      const name = ask(NAME, signal)
      const roots = later.promise.then(() => {
        const answer = ask(ROOTS, signal)
        askedRoots.resolve()
        return answer
      })
      return { answers: await Promise.all([name, roots]) }
    }, round()),
  )
  expect(Object.keys(first.inputRequests)).toEqual(['input-1'])
  later.resolve()
  await askedRoots.promise
  const second = await roundOf(s.resume(first.requestState, { 'input-1': ACCEPT }, round()))
  expect(second.inputRequests).toEqual({ 'input-2': ROOTS })
  const done = await s.resume(second.requestState, { 'input-2': { roots: [] } }, round())
  expect(done).toEqual({ answers: [ACCEPT, { roots: [] }] })
})

test.each([
  ['no answers at all', undefined],
  ['no answer for the key', { 'input-9': ACCEPT }],
  ['an answer that is not an object', { 'input-1': 'yes' }],
  ['a null answer', { 'input-1': null }],
])('%s rejects the upstream question with -32602', async (_what, responses) => {
  const s = fresh()
  const first = await roundOf(
    s.start(async (ask, signal) => {
      try {
        return await ask(NAME, signal)
      } catch (error) {
        const { code, message } = error as { code: number; message: string }
        return { code, message }
      }
    }, round()),
  )
  expect(await s.resume(first.requestState, responses, round())).toEqual({
    code: -32602,
    message: 'the client sent no answer for input-1',
  })
})

test.each([
  ['unknown', 's:00000000-0000-0000-0000-000000000000'],
  ['not ours', 'v1.opaque'],
  ['empty', ''],
])('a requestState that is %s is refused with -32602', async (_what, requestState) => {
  const outcome = await settle(() => fresh().resume(requestState, {}, round()))
  expect(outcome).toMatchObject({
    rejected: { code: -32602, message: 'Invalid or expired requestState' },
  })
})

test('a round is resumed once: the same requestState sent again meanwhile is refused', async () => {
  const s = fresh()
  const upstream = deferred<JsonObject>()
  const first = await roundOf(
    s.start(async (ask, signal) => {
      await ask(NAME, signal)
      return upstream.promise
    }, round()),
  )
  const resumed = s.resume(first.requestState, { 'input-1': ACCEPT }, round())
  expect(await settle(() => s.resume(first.requestState, { 'input-1': ACCEPT }, round()))).toMatchObject({
    rejected: { code: -32602 },
  })
  upstream.resolve({ done: true })
  expect(await resumed).toEqual({ done: true })
})

test('each paused call has its own requestState', async () => {
  const s = fresh()
  const one = await roundOf(s.start(askingName, round()))
  const two = await roundOf(s.start(askingName, round()))
  expect(one.requestState).not.toBe(two.requestState)
  expect(await s.resume(two.requestState, { 'input-1': { n: 2 } }, round())).toEqual({ answer: { n: 2 } })
  expect(await s.resume(one.requestState, { 'input-1': { n: 1 } }, round())).toEqual({ answer: { n: 1 } })
})

test.each([
  ['s:5f0c', true],
  ['s:', true],
  ['v1.abc', false],
  ['S:5f0c', false],
  ['', false],
  [undefined, false],
])('Suspensions.owns(%p) is %p', (requestState, owned) => {
  expect(Suspensions.owns(requestState)).toBe(owned)
})

/** An upstream call that asks for a name, then waits until it is aborted; records its signal. */
function cancellable() {
  const seen: { signal?: AbortSignal } = {}
  const run: SuspendableCall = async (ask, signal) => {
    seen.signal = signal
    const aborted = new Promise<JsonObject>((_, reject) =>
      signal.addEventListener('abort', () => reject(signal.reason)),
    )
    aborted.catch(() => {})
    await ask(NAME, signal)
    return aborted
  }
  return { run, seen }
}

test('the client going away during the first round aborts the upstream call', async () => {
  const client = new AbortController()
  const seen: { signal?: AbortSignal } = {}
  const started = fresh().start(async (_ask, signal) => {
    seen.signal = signal
    return new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)))
  }, client.signal)
  client.abort(new Error('client gone'))
  expect(await settle(() => started)).toEqual({ rejected: new Error('client gone') })
  expect(seen.signal?.aborted).toBe(true)
})

test('the client going away after its round ended leaves the paused call alone', async () => {
  const s = fresh()
  const client = new AbortController()
  const seen: { signal?: AbortSignal } = {}
  const first = await roundOf(
    s.start((ask, signal) => {
      seen.signal = signal
      return askingName(ask, signal)
    }, client.signal),
  )
  client.abort()
  expect(await s.resume(first.requestState, { 'input-1': ACCEPT }, round())).toEqual({ answer: ACCEPT })
  expect(seen.signal?.aborted).toBe(false)
})

test('the client going away during a resumed round aborts the upstream call', async () => {
  const s = fresh()
  const { run, seen } = cancellable()
  const first = await roundOf(s.start(run, round()))
  const client = new AbortController()
  const resumed = settle(() => s.resume(first.requestState, { 'input-1': ACCEPT }, client.signal))
  client.abort(new Error('gone in round two'))
  expect(await resumed).toEqual({ rejected: new Error('gone in round two') })
  expect(seen.signal?.aborted).toBe(true)
})

test('an upstream call that fails while paused fails the resume with its error', async () => {
  const s = fresh()
  const upstream = deferred<JsonObject>()
  const first = await roundOf(
    s.start((ask, signal) => {
      ask(NAME, signal).catch(() => {})
      return upstream.promise
    }, round()),
  )
  upstream.reject(new Error('upstream died'))
  await Promise.resolve()
  const outcome = await settle(() => s.resume(first.requestState, { 'input-1': ACCEPT }, round()))
  expect(outcome).toEqual({ rejected: new Error('upstream died') })
})

test('an upstream call that fails after the answer fails the resume with its error', async () => {
  const s = fresh()
  const first = await roundOf(
    s.start(async (ask, signal) => {
      await ask(NAME, signal)
      throw new Error('tool failed')
    }, round()),
  )
  const outcome = await settle(() => s.resume(first.requestState, { 'input-1': ACCEPT }, round()))
  expect(outcome).toEqual({ rejected: new Error('tool failed') })
})

test('clear fails the open questions, aborts the paused calls and forgets their requestStates', async () => {
  const s = fresh()
  const question = deferred<unknown>()
  const seen: { signal?: AbortSignal } = {}
  const first = await roundOf(
    s.start((ask, signal) => {
      seen.signal = signal
      ask(NAME, signal).then(question.resolve, question.resolve)
      return new Promise<JsonObject>(() => {})
    }, round()),
  )
  s.clear()
  expect(await question.promise).toEqual(new Error('the proxy is shutting down'))
  expect(seen.signal?.aborted).toBe(true)
  expect(await settle(() => s.resume(first.requestState, {}, round()))).toMatchObject({
    rejected: { code: -32602 },
  })
})

// attachRound listens for 'abort', which an already aborted signal never fires.
test('a round whose client is already gone aborts the upstream call at once', async () => {
  const seen: { signal?: AbortSignal } = {}
  await fresh().start(async (_ask, signal) => {
    seen.signal = signal
    return {}
  }, AbortSignal.abort())
  expect(seen.signal?.aborted).toBe(true)
})
