import { expect, test } from 'bun:test'
import type { ChildProcessHandle, SpawnFn } from '../../../src/runtime/types.ts'
import { PrestartedProcesses } from '../../../src/upstream/prestarted-processes.ts'

/** Handles that only record being killed; `exit` ends one as a process would. */
function fakeSpawn(failAfter = Number.POSITIVE_INFINITY) {
  const made: (ChildProcessHandle & { killed: boolean; exit(): void })[] = []
  const spawn: SpawnFn = () => {
    if (made.length >= failAfter) throw new Error('spawn EAGAIN')
    let exit = () => {}
    const child = {
      pid: 1000 + made.length,
      stdout: new ReadableStream<Uint8Array>(),
      stderr: new ReadableStream<Uint8Array>(),
      exited: new Promise<number | null>((resolve) => {
        exit = () => resolve(0)
      }),
      write: async () => {},
      killed: false,
      kill() {
        child.killed = true
        exit()
      },
      exit: () => exit(),
    }
    made.push(child)
    return child
  }
  return { spawn, made }
}

test('hands out the waiting process and starts its replacement; close ends the waiting ones', () => {
  const { spawn, made } = fakeSpawn()
  const lines: string[] = []
  const pool = new PrestartedProcesses(spawn, { command: ['srv'] }, 1, (line) => lines.push(line))
  pool.fill()
  expect(pool.take({ command: ['srv'] }).pid).toBe(1000)
  expect(made).toHaveLength(2)
  pool.close()
  expect(made[1]?.killed).toBe(true)
  expect(made[0]?.killed).toBe(false)
  pool.fill()
  expect(made).toHaveLength(2)
  expect(lines).toEqual([
    'process 1000 started ahead for the next session',
    'a session takes process 1000, started ahead',
    'process 1001 started ahead for the next session',
  ])
})

test('a process that exits while it waits is dropped, and not replaced until the next is handed out', async () => {
  const { spawn, made } = fakeSpawn()
  const pool = new PrestartedProcesses(spawn, { command: ['srv'] }, 1, () => {})
  pool.fill()
  made[0]?.exit()
  await Bun.sleep(0)
  expect(made).toHaveLength(1)
  expect(pool.take({ command: ['srv'] }).pid).toBe(1001)
  expect(made).toHaveLength(3)
})

test('a spawn that throws while filling is reported, and the process taken is still handed out', () => {
  const { spawn } = fakeSpawn(1)
  const lines: string[] = []
  const pool = new PrestartedProcesses(spawn, { command: ['srv'] }, 1, (line) => lines.push(line))
  pool.fill()
  expect(pool.take({ command: ['srv'] }).pid).toBe(1000)
  expect(lines.at(-1)).toBe('no process could be started ahead: spawn EAGAIN')
})
