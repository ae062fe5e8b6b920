import { readLines } from '../lib/read-lines.ts'
import { INITIALIZED_BODY, initializeBody, type JsonRpcAnswer, requestBody } from './json-rpc.ts'
import type { Session } from './session.ts'

/**
 * The direct baseline for stdio: the client starts the server itself and speaks JSON lines over its
 * pipes, one server per session as an MCP host does. No HTTP anywhere.
 */
export async function openStdioSession(command: string[]): Promise<Session> {
  const child = Bun.spawn({ cmd: command, stdin: 'pipe', stdout: 'pipe', stderr: 'ignore' })
  const waiting = new Map<number, (answer: JsonRpcAnswer) => void>()
  void readLines(child.stdout, (line) => {
    const answer = JSON.parse(line) as JsonRpcAnswer
    if (typeof answer.id === 'number') waiting.get(answer.id)?.(answer)
  })
  const send = (id: number, body: string) =>
    new Promise<JsonRpcAnswer>((resolve) => {
      waiting.set(id, (answer) => {
        waiting.delete(id)
        resolve(answer)
      })
      child.stdin.write(`${body}\n`)
      void child.stdin.flush()
    })
  const init = await send(0, initializeBody(0))
  if (init.error) throw new Error(`stdio initialize failed: ${init.error.message}`)
  child.stdin.write(`${INITIALIZED_BODY}\n`)
  let nextId = 1
  return {
    async request(method, params) {
      const id = nextId++
      const answer = await send(id, requestBody(id, method, params))
      if (answer.error) throw new Error(`${method}: ${answer.error.code} ${answer.error.message}`)
      return answer.result ?? {}
    },
    async close() {
      child.kill()
      await child.exited
    },
  }
}
