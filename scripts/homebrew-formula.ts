import { archiveName, findTargets } from './targets.ts'

/** The archives the formula points at: Homebrew runs on macOS and glibc Linux, on both arches. */
export const FORMULA_TARGETS = ['darwin-arm64', 'darwin-x64', 'linux-arm64', 'linux-x64']

export interface FormulaInput {
  version: string
  /** Where release assets live: `<downloadBase>/v<version>/<archive>`. */
  downloadBase: string
  /** Archive file name to SHA-256 (hex), as in SHA256SUMS. */
  checksums: Map<string, string>
}

/**
 * Fills the formula template's `{{version}}`, `{{<target>.url}}` and `{{<target>.sha256}}`.
 * Throws when an archive the formula needs has no checksum, or a placeholder is unknown.
 */
export function renderFormula(template: string, input: FormulaInput): string {
  const values = new Map([['version', input.version]])
  for (const target of findTargets(FORMULA_TARGETS)) {
    const archive = archiveName(target, input.version)
    const sha256 = input.checksums.get(archive)
    if (!sha256) throw new Error(`the formula needs ${archive}, which was not built`)
    values.set(`${target.name}.url`, `${input.downloadBase}/v${input.version}/${archive}`)
    values.set(`${target.name}.sha256`, sha256)
  }
  return template.replace(/\{\{([\w.-]+)\}\}/g, (_, key: string) => {
    const value = values.get(key)
    if (value === undefined) throw new Error(`formula template: unknown placeholder {{${key}}}`)
    return value
  })
}

/** `https://github.com/<owner>/<repo>/releases/download`, from package.json's `repository`. */
export function releaseDownloadBase(repository: string | { url: string }): string {
  const url = typeof repository === 'string' ? repository : repository.url
  const match = /github\.com[/:]([^/]+)\/([^/]+?)(?:\.git)?$/.exec(url)
  if (!match) throw new Error(`package.json repository is not a GitHub repository: ${url}`)
  return `https://github.com/${match[1]}/${match[2]}/releases/download`
}
