import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { BENCH_DIR, PROXMCP_ROOT } from '../lib/paths.ts'
import { rssOf } from '../lib/proc-stats.ts'
import { median } from '../lib/stats.ts'
import { compileEntry } from '../targets/compile.ts'
import { startHttpUpstreams } from '../targets/http-upstream.ts'
import { startProxmcp } from '../targets/proxmcp.ts'
import { serveTarget } from '../targets/serve-target.ts'
import type { Target } from '../targets/target.ts'
import type { CaseContext } from './case-types.ts'

export interface StartupReading {
  variant: string
  /** Executable size in bytes; absent for the source entry run by bun. */
  bytes?: number
  buildMs?: number
  /** Spawn to first answered initialize, one per start, in milliseconds. */
  startMs: number[]
  medianStartMs: number
  bestStartMs: number
  /** RSS after the first answer and a second of rest (median). */
  idleRss: number
  /** A reference point rather than ProxMCP. */
  reference: boolean
}

export interface CompiledResult {
  id: 'compiled'
  title: string
  readings: StartupReading[]
  notes: string[]
}

const STARTS = 5
const SETTLE_MS = 1_000
/** Top-level await in the entries needs ESM output; --bytecode alone defaults to CJS. */
const BYTECODE = ['--bytecode', '--format=esm']

interface Variant {
  name: string
  reference: boolean
  build?: { entry: string; flags: string[] }
  start: (executable: string | undefined, name: string) => Promise<Target>
}

/**
 * Case 4: ProxMCP compiled (with and without --bytecode) against `bun src/cli/bun.ts`, and two
 * floors compiled the same way: a minimal Bun.serve, and the same after loading the v2 SDK.
 * Each: spawn to first answered initialize (ProxMCP connects its upstream first), size, idle RSS.
 */
export async function compiled(ctx: CaseContext): Promise<CompiledResult> {
  const dir = mkdtempSync(join(tmpdir(), 'proxmcp-bench-'))
  const upstream = await startHttpUpstreams('case4-upstream', { count: 1, fillerTools: 10, era: 'both' })
  const proxmcp = (executable: string | undefined, name: string) =>
    startProxmcp(name, { upstreams: upstream.urls, ...(executable && { executable }) })
  const minimal = (executable: string | undefined, name: string) =>
    serveTarget(name, (port) => [executable as string, '--port', String(port)])
  const cli = join(PROXMCP_ROOT, 'src', 'cli', 'bun.ts')
  const variants: Variant[] = [
    {
      name: 'floor: minimal Bun.serve, compiled --bytecode',
      reference: true,
      build: { entry: join(BENCH_DIR, 'upstreams', 'minimal-server.ts'), flags: BYTECODE },
      start: minimal,
    },
    {
      name: 'floor + v2 SDK loaded, compiled --bytecode',
      reference: true,
      build: { entry: join(BENCH_DIR, 'upstreams', 'minimal-sdk-server.ts'), flags: BYTECODE },
      start: minimal,
    },
    { name: 'ProxMCP: bun src/cli/bun.ts', reference: false, start: proxmcp },
    { name: 'ProxMCP: compiled', reference: false, build: { entry: cli, flags: [] }, start: proxmcp },
    {
      name: 'ProxMCP: compiled --bytecode',
      reference: false,
      build: { entry: cli, flags: BYTECODE },
      start: proxmcp,
    },
  ]
  try {
    const builds = new Map<Variant, { path: string; bytes: number; buildMs: number }>()
    for (const [index, variant] of variants.entries()) {
      if (!variant.build) continue
      const build = await compileEntry(
        variant.build.entry,
        join(dir, `variant-${index}`),
        variant.build.flags,
      )
      builds.set(variant, build)
      ctx.log(
        `  ${variant.name}: ${(build.bytes / 2 ** 20).toFixed(1)} MiB, built in ${(build.buildMs / 1000).toFixed(1)} s`,
      )
    }
    const starts = new Map<Variant, { ms: number; rss: number }[]>(variants.map((variant) => [variant, []]))
    for (let round = 0; round < STARTS; round++) {
      for (const [index, variant] of variants.entries()) {
        const target = await variant.start(builds.get(variant)?.path, `case4-variant-${index}`)
        await Bun.sleep(SETTLE_MS)
        const rss = rssOf(target.pid)
        await target.stop()
        starts.get(variant)?.push({ ms: target.startMs, rss })
      }
    }
    const readings = variants.map((variant): StartupReading => {
      const runs = starts.get(variant) ?? []
      const build = builds.get(variant)
      const reading: StartupReading = {
        variant: variant.name,
        ...(build && { bytes: build.bytes, buildMs: build.buildMs }),
        startMs: runs.map((run) => run.ms),
        medianStartMs: median(runs.map((run) => run.ms)),
        bestStartMs: Math.min(...runs.map((run) => run.ms)),
        idleRss: median(runs.map((run) => run.rss)),
        reference: variant.reference,
      }
      ctx.log(`  ${variant.name}: start ${reading.medianStartMs.toFixed(0)} ms (median of ${runs.length})`)
      return reading
    })
    return {
      id: 'compiled',
      title: 'Case 4: compiled executable, start to first answer',
      readings,
      notes: [
        `\`bun build --compile --minify [--bytecode --format=esm]\`; ${STARTS} starts of each, interleaved.`,
        'Start: spawn to the first 200 answer to initialize, polled every millisecond. ProxMCP answers only once its upstream (one HTTP upstream, already running) is connected.',
        'The floors (bench/upstreams/minimal-server.ts, minimal-sdk-server.ts) answer a canned initialize: what any compiled Bun executable needs here, and that plus loading @modelcontextprotocol/server and /client.',
      ],
    }
  } finally {
    await upstream.stop()
    rmSync(dir, { recursive: true, force: true })
  }
}
