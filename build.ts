#!/usr/bin/env bun
/**
 * Builds what ProxMCP ships: the npm package (Node bundles and type declarations), standalone
 * executables for every platform, their release archives with SHA256SUMS, and the Homebrew formula.
 * Run `bun build.ts --help` for the options.
 */
import { stat } from 'node:fs/promises'
import { join, relative } from 'node:path'
import { parseBuildOptions, USAGE } from './scripts/build-options.ts'
import { compileExecutable } from './scripts/compile-executable.ts'
import { releaseDownloadBase } from './scripts/homebrew-formula.ts'
import { buildNodePackage } from './scripts/node-package.ts'
import { type BuiltExecutable, writeReleaseAssets } from './scripts/release-assets.ts'
import { ensureDarwinSignature } from './scripts/sign-darwin.ts'

const startedIn = process.cwd()
// Every path below is relative to the repository, wherever build.ts is started from.
process.chdir(import.meta.dir)

try {
  await build()
} catch (error) {
  process.stderr.write(`build.ts: ${(error as Error).message}\n`)
  process.exit(1)
}

async function build(): Promise<void> {
  const options = parseBuildOptions(process.argv.slice(2), startedIn)
  if (options.help) return void process.stdout.write(USAGE)
  const pkg = await Bun.file('package.json').json()
  const show = (path: string) => relative(startedIn, path) || '.'
  if (options.node) {
    const started = performance.now()
    await buildNodePackage(options.outDir, options.types)
    log(`npm package in ${show(options.outDir)} ${seconds(started)}`)
  }
  const built: BuiltExecutable[] = []
  const warnings: string[] = []
  for (const target of options.targets) {
    const started = performance.now()
    const path = await compileExecutable(target, join(options.outDir, 'bin'))
    const warning = target.os === 'darwin' ? await ensureDarwinSignature(path) : undefined
    if (warning) warnings.push(warning)
    log(`${target.name.padEnd(17)} ${show(path)} ${megabytes((await stat(path)).size)} ${seconds(started)}`)
    built.push({ target, path })
  }
  if (options.archives && built.length > 0) {
    const assets = await writeReleaseAssets(built, {
      version: pkg.version,
      outDir: options.outDir,
      downloadBase: releaseDownloadBase(pkg.repository),
    })
    for (const archive of assets.archives)
      log(`archive ${show(archive)} ${megabytes((await stat(archive)).size)}`)
    log(`checksums ${show(assets.checksums)}`)
    log(
      assets.formula
        ? `formula ${show(assets.formula)}`
        : 'formula skipped: it needs all darwin and glibc linux targets',
    )
  }
  for (const warning of warnings) process.stderr.write(`warning: ${warning}\n`)
}

function log(line: string): void {
  process.stdout.write(`${line}\n`)
}

function seconds(since: number): string {
  return `${((performance.now() - since) / 1000).toFixed(1)} s`
}

function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`
}
