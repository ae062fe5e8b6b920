import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { runBounded } from './run-bounded.ts'

/** One release of the official conformance suite, run at one protocol version. */
export interface Suite {
  label: string
  /** The CLI's entry file; it runs under Bun (it crashes under Node 20). */
  entry: string
  /** Passed as `--spec-version`: which wire the scenarios speak (0.2.0 alphas only). */
  specVersion?: string
  /** The release has a per-scenario `--timeout` of its own. */
  hasTimeoutFlag: boolean
}

const MODERN_VERSION = '2026-07-28'
const LIST_TIMEOUT_MS = 30_000

function entryOf(packageName: string): string {
  const packageJson = createRequire(import.meta.url).resolve(`${packageName}/package.json`)
  return join(dirname(packageJson), 'dist/index.js')
}

/** 0.1.16, the latest release: 2025-era server scenarios over sessions. */
export function stableSuite(): Suite {
  return {
    label: '@modelcontextprotocol/conformance 0.1.16',
    entry: entryOf('@modelcontextprotocol/conformance'),
    hasTimeoutFlag: false,
  }
}

/** The 0.2.0 alpha (npm alias conformance-next), by default at the 2026-07-28 wire. */
export function nextSuite(specVersion = MODERN_VERSION): Suite {
  return {
    label: `@modelcontextprotocol/conformance 0.2.0-alpha at ${specVersion}`,
    entry: entryOf('@modelcontextprotocol/conformance-next'),
    specVersion,
    hasTimeoutFlag: true,
  }
}

/** The server scenarios the suite lists (for its spec version, when it has one), in its own order. */
export async function listServerScenarios(suite: Suite): Promise<string[]> {
  const versionArgs = suite.specVersion ? ['--spec-version', suite.specVersion] : []
  const run = await runBounded([process.execPath, suite.entry, 'list', '--server', ...versionArgs], {
    timeoutMs: LIST_TIMEOUT_MS,
  })
  if (run.code !== 0) throw new Error(`${suite.label}: listing scenarios failed\n${run.output}`)
  return [...run.output.matchAll(/^\s+- (\S+)/gm)].map((match) => match[1] as string)
}
