import { expect, test } from 'bun:test'
import { AuditLog, type AuditSink } from '../../../src/audit/audit-log.ts'

/** A sink that holds each write until released, like a slow disk. */
function slowSink() {
  const written: string[] = []
  let release = () => {}
  let gate = Promise.resolve()
  const sink: AuditSink = {
    async write(text) {
      await gate
      written.push(...text.trimEnd().split('\n'))
    },
  }
  return {
    sink,
    written,
    hold: () => {
      gate = new Promise((resolve) => {
        release = resolve
      })
    },
    release: () => release(),
  }
}

const events = (lines: string[]) => lines.map((line) => JSON.parse(line).event)

test('lines are written in the order recorded, digests included, and close waits for them', async () => {
  const { sink, written } = slowSink()
  const log = new AuditLog([sink], { maxBuffered: 100, onDropped: () => {}, onError: () => {} })
  log.record({ event: 'first' }, { text: 'hello' })
  log.record({ event: 'second' })
  log.record({ event: 'third' }, {})
  await log.close()
  expect(events(written)).toEqual(['first', 'second', 'third'])
  const [first, second] = written.map((line) => JSON.parse(line))
  // SHA-256 of '{"text":"hello"}', as sha256sum gives it.
  expect(first.argumentsSha256).toBe('cbbbdcd27692344de5dbab3abcaba413fb0f45307267de7081401576df1cb176')
  expect(second.argumentsSha256).toBeUndefined()
  expect(Date.parse(first.time)).toBeGreaterThan(0)
})

test('a slow sink delays lines, never the caller; past the buffer new lines are dropped and counted', async () => {
  const disk = slowSink()
  let dropped = 0
  const log = new AuditLog([disk.sink], { maxBuffered: 3, onDropped: () => dropped++, onError: () => {} })
  disk.hold()
  log.record({ event: 'a' })
  // Past the batching moment: 'a' is being written, and the disk holds it.
  await Bun.sleep(50)
  for (const event of ['b', 'c', 'd', 'e', 'f']) log.record({ event })
  expect(dropped).toBe(2)
  disk.release()
  await log.flush()
  expect(events(disk.written)).toEqual(['a', 'b', 'c', 'd'])
})

test('a sink that fails is reported and the others still get every line', async () => {
  const good = slowSink()
  const errors: unknown[] = []
  const failing: AuditSink = { write: async () => Promise.reject(new Error('disk full')) }
  const log = new AuditLog([failing, good.sink], {
    maxBuffered: 10,
    onDropped: () => {},
    onError: (error) => errors.push(error),
  })
  log.record({ event: 'kept' })
  await log.flush()
  expect(events(good.written)).toEqual(['kept'])
  expect(String(errors[0])).toContain('disk full')
})
