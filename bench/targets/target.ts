/** Something the load generator can be pointed at: an MCP endpoint served by a process of ours. */
export interface Target {
  name: string
  url: string
  /** The process to measure (RSS, CPU): the proxy itself, or the upstream for a direct target. */
  pid: number
  /** Spawn to first answered `initialize`, in milliseconds. */
  startMs: number
  stop(): Promise<void>
}
