import type { Measurement, Plan } from '../lib/measure.ts'
import type { LoadGenerator } from '../load/load-client.ts'

export interface CaseContext {
  load: LoadGenerator
  plan: Plan
  log: (line: string) => void
  /** Another ProxMCP checkout (e.g. with a proposed fix) to measure beside this one, in case 1. */
  compareRoot?: string
}

/** A ratio the report prints: `target` against `baseline`, at the same operation and client count. */
export interface Comparison {
  target: string
  baseline: string
}

/** A proxy's memory outside of load: after start (idle), and with the case's sessions open. */
export interface MemoryReading {
  target: string
  idleRss: number
  idleTreeRss: number
}

export interface CaseResult {
  id: string
  title: string
  measurements: Measurement[]
  comparisons: Comparison[]
  memory: MemoryReading[]
  notes: string[]
}
