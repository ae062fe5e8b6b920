import { readFileSync } from 'node:fs'

interface ProfileNode {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
  children?: number[]
}

/** Where a sample's time goes: the nearest JavaScript frame's package, or a file of src/. */
function categoryOf(url: string): string | undefined {
  if (!url) return undefined
  if (url.includes('/zod/')) return 'zod (validation inside the MCP SDK)'
  if (url.includes('@modelcontextprotocol/server')) return '@modelcontextprotocol/server'
  if (url.includes('@modelcontextprotocol/client')) return '@modelcontextprotocol/client'
  if (url.includes('@modelcontextprotocol/core')) return '@modelcontextprotocol/core'
  const pkg = /node_modules\/([^/]+)\//.exec(url)?.[1]
  if (pkg) return pkg
  const source = /\/src\/(.+)$/.exec(url)?.[1]
  return source ? `src/${source}` : url
}

/**
 * Shares of the samples of a .cpuprofile by package or src/ file: native frames (fetch, stream
 * writes) are charged to the JavaScript that called them, or listed as runtime work when none did.
 */
export function summarizeProfile(path: string, top = 25): string[] {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as { nodes: ProfileNode[]; samples: number[] }
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]))
  const parents = new Map<number, number>()
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id)
  const shares = new Map<string, number>()
  for (const sample of profile.samples) {
    let id: number | undefined = sample
    let category: string | undefined
    for (let depth = 0; id !== undefined && depth < 500 && !category; depth++) {
      category = categoryOf(nodes.get(id)?.callFrame.url ?? '')
      id = parents.get(id)
    }
    const key = category ?? `runtime: ${nodes.get(sample)?.callFrame.functionName || '(native)'}`
    shares.set(key, (shares.get(key) ?? 0) + 1)
  }
  const total = profile.samples.length
  return [...shares]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([key, count]) => `${((100 * count) / total).toFixed(1).padStart(5)}%  ${key}`)
}
