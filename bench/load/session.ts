/** One simulated MCP client session, whatever carries it (raw fetch, the SDK client, stdio). */
export interface Session {
  /** Sends one request and resolves with its result; rejects on a JSON-RPC or transport error. */
  request(method: string, params?: Record<string, unknown>): Promise<Record<string, unknown>>
  close(): Promise<void>
}

export type Op = 'call' | 'list'

/** Runs one benchmark operation on a session and checks the answer is the real thing. */
export async function runOp(session: Session, op: Op, tool: string, sequence: number): Promise<void> {
  if (op === 'list') {
    const result = await session.request('tools/list', {})
    if (!Array.isArray(result.tools) || result.tools.length === 0) throw new Error('tools/list: no tools')
    return
  }
  const text = `hello ${sequence}`
  const result = await session.request('tools/call', { name: tool, arguments: { text } })
  const content = result.content as { text?: string }[] | undefined
  if (result.isError || !content?.[0]?.text?.endsWith(text)) {
    throw new Error(`tools/call ${tool}: unexpected answer ${JSON.stringify(result).slice(0, 200)}`)
  }
}
