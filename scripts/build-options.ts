import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { findTargets, hostTarget, TARGETS, type Target } from './targets.ts'

export interface BuildOptions {
  /** Build the npm package's JS. */
  node: boolean
  /** And its type declarations (tsc, so a type error fails the build). */
  types: boolean
  /** Standalone executables to compile. */
  targets: Target[]
  /** Pack the executables into release archives, with SHA256SUMS and the Homebrew formula. */
  archives: boolean
  /** Everything is written under it: bundles, `bin/<target>/`, `release/`, `homebrew/`. */
  outDir: string
}

export const USAGE = `Usage: bun build.ts [options]

Without options: the npm package, executables for every target, release archives,
SHA256SUMS and the Homebrew formula.

  --node-only        only the npm package (dist/cli.js, dist/index.js, dist/**/*.d.ts)
  --no-types         skip the type declarations (what \`npm test\` needs: no type check)
  --host-only        only the executable for this machine (and its archive)
  --target NAME      only this executable (repeatable), one of:
                     ${TARGETS.map((target) => target.name).join(', ')}
  --no-archives      compile executables without packing them
  --out-dir DIR      write under DIR instead of dist
`

/** Reads build.ts's flags; a bad combination throws with a message for the user. */
export function parseBuildOptions(argv: string[], cwd: string): BuildOptions & { help: boolean } {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      'node-only': { type: 'boolean', default: false },
      'host-only': { type: 'boolean', default: false },
      target: { type: 'string', multiple: true, default: [] },
      'no-types': { type: 'boolean', default: false },
      'no-archives': { type: 'boolean', default: false },
      'out-dir': { type: 'string', default: 'dist' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  })
  const chosen = [...(values['host-only'] ? [hostTarget()] : []), ...findTargets(values.target)]
  if (values['node-only'] && chosen.length > 0) {
    throw new Error('--node-only cannot be combined with --host-only or --target')
  }
  const everything = !values['node-only'] && chosen.length === 0
  return {
    help: values.help,
    node: values['node-only'] || everything,
    types: !values['no-types'],
    targets: everything ? [...TARGETS] : [...new Set(chosen)],
    archives: !values['no-archives'],
    outDir: resolve(cwd, values['out-dir']),
  }
}
