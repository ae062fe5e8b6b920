import { mkdir, rm } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { createArchive } from './archive.ts'
import { formatChecksums, parseChecksums } from './checksums.ts'
import { FORMULA_TARGETS, renderFormula } from './homebrew-formula.ts'
import type { Target } from './targets.ts'

const DOCUMENTS = ['LICENSE', 'README.md']
const FORMULA_TEMPLATE = 'packaging/homebrew/proxmcp.rb.template'

export interface BuiltExecutable {
  target: Target
  path: string
}

export interface ReleaseAssets {
  archives: string[]
  checksums: string
  /** Undefined when not every target the formula needs was built. */
  formula?: string
}

/**
 * Writes `<outDir>/release/` afresh (one archive per executable and their SHA256SUMS, so the
 * directory never mixes builds) and, when all its targets were built, `<outDir>/homebrew/proxmcp.rb`.
 */
export async function writeReleaseAssets(
  built: BuiltExecutable[],
  options: { version: string; outDir: string; downloadBase: string },
): Promise<ReleaseAssets> {
  const releaseDir = join(options.outDir, 'release')
  await rm(releaseDir, { recursive: true, force: true })
  await mkdir(releaseDir, { recursive: true })
  const documents = DOCUMENTS.map((name) => resolve(name))
  // Packing is gzip-bound and tar runs as its own process: in parallel it takes the cores there are.
  const archives = await Promise.all(
    built.map(({ target, path }) => createArchive(target, options.version, [path, ...documents], releaseDir)),
  )
  const checksums = join(releaseDir, 'SHA256SUMS')
  const sums = await formatChecksums(archives)
  await Bun.write(checksums, sums)
  const builtNames = new Set(built.map(({ target }) => target.name))
  if (!FORMULA_TARGETS.every((name) => builtNames.has(name))) return { archives, checksums }
  const formula = join(options.outDir, 'homebrew', 'proxmcp.rb')
  const template = await Bun.file(FORMULA_TEMPLATE).text()
  await Bun.write(formula, renderFormula(template, { ...options, checksums: parseChecksums(sums) }))
  return { archives, checksums, formula }
}
