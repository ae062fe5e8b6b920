import { chmod, readdir, rm } from 'node:fs/promises'
import { join } from 'node:path'

/** Entry point to output file: the `bin` of the npm package and its library entry. */
const ENTRIES = [
  ['src/cli/node.ts', 'cli.js'],
  ['src/index.ts', 'index.js'],
] as const

/**
 * Builds what the npm package ships into `outDir`: the Node bundles (dependencies stay external,
 * npm installs them) and, with `types`, the declarations of the public API (`index.d.ts` and what
 * it imports).
 */
export async function buildNodePackage(outDir: string, types: boolean): Promise<void> {
  for (const [entry, naming] of ENTRIES) {
    const result = await Bun.build({
      entrypoints: [entry],
      target: 'node',
      packages: 'external',
      outdir: outDir,
      // Modules imported only when a feature is on (the OpenTelemetry SDK, the audit file) stay in
      // chunks of their own, so Node loads them, and their packages, only then.
      splitting: true,
      naming: { entry: naming, chunk: 'chunks/[name]-[hash].[ext]' },
      throw: false,
    })
    if (!result.success) throw new Error(`bundling ${entry} failed:\n${result.logs.map(String).join('\n')}`)
  }
  await chmod(join(outDir, 'cli.js'), 0o755)
  if (types) await emitDeclarations(outDir)
}

async function emitDeclarations(outDir: string): Promise<void> {
  const stale = await declarationFiles(outDir)
  await Promise.all(stale.map((file) => rm(join(outDir, file))))
  const tsc = Bun.spawn({
    // tsc runs about twice as fast under Node as under Bun.
    cmd: [
      Bun.which('node') ?? process.execPath,
      'node_modules/typescript/bin/tsc',
      '-p',
      'tsconfig.build.json',
      '--outDir',
      outDir,
    ],
    stdout: 'pipe',
    stderr: 'pipe',
  })
  const [stdout, stderr, code] = await Promise.all([
    new Response(tsc.stdout).text(),
    new Response(tsc.stderr).text(),
    tsc.exited,
  ])
  if (code !== 0) throw new Error(`type declarations failed:\n${stdout}${stderr}`)
  for (const file of await declarationFiles(outDir)) {
    const path = join(outDir, file)
    await Bun.write(path, withJsSpecifiers(await Bun.file(path).text()))
  }
}

async function declarationFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true }).catch(() => [] as string[])
  return entries.filter((file) => file.endsWith('.d.ts'))
}

/**
 * Our sources import `./x.ts`, and tsc keeps those specifiers in declarations. `./x.js` is what
 * every consumer's resolver (node10, node16, bundler) maps to `./x.d.ts`, so declarations use it.
 */
export function withJsSpecifiers(declarations: string): string {
  return declarations.replace(/(["'])(\.\.?\/[^"'\n]*?)\.ts\1/g, '$1$2.js$1')
}
