/**
 * The load generator, run as its own process so it never shares an event loop with what it
 * measures. Reads commands (protocol.ts) on stdin, answers on stdout, one JSON object a line.
 */
import { readLines } from '../lib/read-lines.ts'
import type { Driver, WorkerCommand, WorkerReply } from './protocol.ts'
import { openRawSession } from './raw-session.ts'
import { runLoad } from './run-load.ts'
import { openSdkSession } from './sdk-session.ts'
import { runOp, type Session } from './session.ts'
import { openStdioSession } from './stdio-session.ts'

const OPEN_BATCH = 8
const targets = new Map<string, Session[]>()

function open(
  driver: Driver,
  endpoint: string | string[],
  headers?: Record<string, string>,
): Promise<Session> {
  if (driver === 'stdio') return openStdioSession(endpoint as string[])
  if (driver === 'sdk') return openSdkSession(endpoint as string)
  return openRawSession(endpoint as string, headers)
}

async function handle(command: WorkerCommand): Promise<unknown> {
  switch (command.cmd) {
    case 'open': {
      const started = performance.now()
      const sessions: Session[] = targets.get(command.target) ?? []
      targets.set(command.target, sessions)
      while (sessions.length < command.sessions) {
        const batch = Math.min(OPEN_BATCH, command.sessions - sessions.length)
        const opened = await Promise.all(
          Array.from({ length: batch }, async (_, index) => {
            const { headers } = command
            const own = headers?.[(sessions.length + index) % headers.length]
            const session = await open(command.driver, command.endpoint, own)
            await runOp(session, 'call', command.warmTool, 0)
            await runOp(session, 'list', command.warmTool, 0)
            return session
          }),
        )
        sessions.push(...opened)
      }
      return { ms: performance.now() - started }
    }
    case 'run': {
      const sessions = targets.get(command.target)
      if (!sessions) throw new Error(`no sessions open for ${command.target}`)
      return runLoad(sessions, command)
    }
    case 'close': {
      const sessions = targets.get(command.target) ?? []
      targets.delete(command.target)
      await Promise.all(sessions.map((session) => session.close().catch(() => {})))
      return {}
    }
    case 'exit':
      setTimeout(() => process.exit(0), 10)
      return {}
  }
}

/** Commands run one at a time, in order: the orchestrator waits for each reply before the next. */
let queue = Promise.resolve()
let seq = 0
await readLines(Bun.stdin.stream(), (line) => {
  const mySeq = seq++
  queue = queue.then(async () => {
    const reply: WorkerReply = await handle(JSON.parse(line) as WorkerCommand).then(
      (value) => ({ seq: mySeq, ok: true, value }),
      (error: unknown) => ({
        seq: mySeq,
        ok: false,
        error: error instanceof Error ? error.message : String(error),
      }),
    )
    process.stdout.write(`${JSON.stringify(reply)}\n`)
  })
})
await queue
