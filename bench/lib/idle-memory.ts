import type { MemoryReading } from '../cases/case-types.ts'
import { sampleTree } from './proc-stats.ts'

const SETTLE_MS = 1_000

/** RSS of idle proxies, read after they have settled for a second. */
export async function idleMemory(proxies: { name: string; pid: number }[]): Promise<MemoryReading[]> {
  await Bun.sleep(SETTLE_MS)
  return proxies.map(({ name, pid }) => {
    const sample = sampleTree(pid)
    return { target: name, idleRss: sample.rss, idleTreeRss: sample.treeRss }
  })
}
