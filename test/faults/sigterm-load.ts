import type { Client } from '@modelcontextprotocol/client'

export interface CallRecord {
  client: number
  tool: string
  startedAt: number
  endedAt: number
  /** The text the call answered, or undefined when it failed. */
  text?: string
  error?: string
}

/**
 * Keeps `client` calling `tool` back to back until `stop()` says so or a call fails after the
 * signal went out, recording every call.
 */
export async function callInLoop(
  index: number,
  client: Client,
  tool: string,
  args: Record<string, unknown>,
  stop: () => boolean,
  records: CallRecord[],
): Promise<void> {
  for (let round = 0; round < 500 && !stop(); round++) {
    const record: CallRecord = { client: index, tool, startedAt: performance.now(), endedAt: 0 }
    records.push(record)
    try {
      const result = await client.callTool({ name: tool, arguments: args }, { timeout: 12_000 })
      record.text = (result.content as { text?: string }[])[0]?.text
    } catch (error) {
      record.error = (error as Error).message.split('\n')[0]
    }
    record.endedAt = performance.now()
    if (record.error) return
  }
}

/** Calls that were in flight at `at`: started before, not yet answered. */
export function inFlightAt(records: CallRecord[], at: number): CallRecord[] {
  return records.filter((record) => record.startedAt < at && record.endedAt > at)
}
