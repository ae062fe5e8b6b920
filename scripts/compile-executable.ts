import { join } from 'node:path'
import { executableName, type Target } from './targets.ts'

const ENTRY = 'src/cli/bun.ts'

/** Compiles the Bun CLI into a standalone executable for `target`; returns its path. */
export async function compileExecutable(target: Target, binDir: string): Promise<string> {
  const outfile = join(binDir, target.name, executableName(target))
  const result = await Bun.build({
    entrypoints: [ENTRY],
    compile: {
      target: `bun-${target.name}` as Bun.Build.CompileTarget,
      outfile,
      // A user's working directory must not change what the executable does.
      autoloadDotenv: false,
      autoloadBunfig: false,
      autoloadTsconfig: false,
      autoloadPackageJson: false,
    },
    minify: true,
    bytecode: true,
    // The entry uses top-level await, which bytecode supports only in ESM.
    format: 'esm',
    throw: false,
  })
  if (!result.success) {
    throw new Error(`compiling ${target.name} failed:\n${result.logs.map(String).join('\n')}`)
  }
  return outfile
}
