import { join } from 'node:path'

/** The repository root, whatever the current directory. */
export const ROOT = join(import.meta.dir, '..', '..')
/** The pinned Bun every process of the bench runs on. */
export const BUN = join(ROOT, 'node_modules', '.bin', 'bun')
/** Peers run on Node, as `npx` would run them. */
export const NODE = process.env.BENCH_NODE ?? 'node'
export const BENCH_DIR = join(ROOT, 'bench')
/**
 * The ProxMCP checkout under test: this repository, or another one (BENCH_PROXMCP_ROOT), e.g. a copy
 * with a proposed fix applied, to compare before and after with the same bench.
 */
export const PROXMCP_ROOT = process.env.BENCH_PROXMCP_ROOT ?? ROOT
