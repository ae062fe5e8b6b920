import { join } from 'node:path'
import { BUN } from '../lib/paths.ts'
import { logFile, track } from '../lib/processes.ts'
import { readLines } from '../lib/read-lines.ts'
import type { WorkerCommand, WorkerReply } from './protocol.ts'
import type { LoadResult, LoadSpec } from './run-load.ts'

/** No command (opening 64 sessions, a run bounded at 30 s) should take longer than this. */
const COMMAND_TIMEOUT_MS = 5 * 60_000

/** The orchestrator's handle on the load-generator process. */
export interface LoadGenerator {
  pid: number
  send(command: WorkerCommand): Promise<unknown>
  run(target: string, spec: LoadSpec): Promise<LoadResult>
  stop(): Promise<void>
}

export function startLoadGenerator(): LoadGenerator {
  const child = Bun.spawn({
    cmd: [BUN, join(import.meta.dir, 'worker.ts')],
    stdin: 'pipe',
    stdout: 'pipe',
    stderr: logFile('load-generator'),
    detached: true,
  })
  const handle = track('load-generator', child.pid, child.exited)
  const replies: WorkerReply[] = []
  let wake: (() => void) | undefined
  void readLines(child.stdout, (line) => {
    replies.push(JSON.parse(line) as WorkerReply)
    wake?.()
  })
  let exited = false
  void child.exited.then(() => {
    exited = true
    wake?.()
  })
  const send = async (command: WorkerCommand): Promise<unknown> => {
    child.stdin.write(`${JSON.stringify(command)}\n`)
    await child.stdin.flush()
    const deadline = performance.now() + COMMAND_TIMEOUT_MS
    while (replies.length === 0) {
      if (exited) throw new Error('the load generator exited')
      const left = deadline - performance.now()
      if (left <= 0) throw new Error(`the load generator did not answer ${command.cmd} in time`)
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left)
        wake = () => {
          clearTimeout(timer)
          resolve()
        }
      })
    }
    const reply = replies.shift() as WorkerReply
    if (!reply.ok) throw new Error(`load generator: ${reply.error}`)
    return reply.value
  }
  return {
    pid: child.pid,
    send,
    run: async (target, spec) => (await send({ cmd: 'run', target, ...spec })) as LoadResult,
    stop: async () => {
      await send({ cmd: 'exit' }).catch(() => {})
      await handle.stop()
    },
  }
}
