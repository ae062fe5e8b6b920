import { readdirSync, readFileSync } from 'node:fs'

/** Linux /proc readings for a process and the processes it started. */

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8')
  } catch {
    return undefined
  }
}

/** Resident set size in bytes, or 0 when the process is gone. */
export function rssOf(pid: number): number {
  const status = read(`/proc/${pid}/status`)
  const kb = status ? /^VmRSS:\s+(\d+)/m.exec(status)?.[1] : undefined
  return kb ? Number(kb) * 1024 : 0
}

/** CPU time in milliseconds used so far by every thread of the process (ns precision via schedstat). */
export function cpuMsOf(pid: number): number {
  let tasks: string[]
  try {
    tasks = readdirSync(`/proc/${pid}/task`)
  } catch {
    return 0
  }
  let ns = 0
  for (const task of tasks) {
    const line = read(`/proc/${pid}/task/${task}/schedstat`)
    if (line) ns += Number(line.split(' ')[0])
  }
  return ns / 1e6
}

function parentOf(pid: string): number | undefined {
  const stat = read(`/proc/${pid}/stat`)
  if (!stat) return undefined
  // The command name may contain spaces and parentheses: fields resume after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return Number(fields[1])
}

/** Every live descendant of `pid` (children, grandchildren, ...), whatever process group they are in. */
export function descendantsOf(pid: number): number[] {
  const children = new Map<number, number[]>()
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    const parent = parentOf(entry)
    if (parent === undefined) continue
    const list = children.get(parent) ?? []
    list.push(Number(entry))
    children.set(parent, list)
  }
  const found: number[] = []
  const queue = [pid]
  for (let index = 0; index < queue.length && index < 10_000; index++) {
    for (const child of children.get(queue[index] as number) ?? []) {
      found.push(child)
      queue.push(child)
    }
  }
  return found
}

export interface TreeSample {
  /** RSS of the process itself. */
  rss: number
  /** RSS of the process and all its descendants (e.g. stdio upstreams it spawned). */
  treeRss: number
  cpuMs: number
  treeCpuMs: number
}

export function sampleTree(pid: number): TreeSample {
  const descendants = descendantsOf(pid)
  const rss = rssOf(pid)
  const cpuMs = cpuMsOf(pid)
  let treeRss = rss
  let treeCpuMs = cpuMs
  for (const child of descendants) {
    treeRss += rssOf(child)
    treeCpuMs += cpuMsOf(child)
  }
  return { rss, treeRss, cpuMs, treeCpuMs }
}
