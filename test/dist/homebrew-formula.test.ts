import { afterAll, beforeAll, expect, test } from 'bun:test'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { basename, join, resolve } from 'node:path'
import { createArchive } from '../../scripts/archive.ts'
import { formatChecksums, parseChecksums, sha256File } from '../../scripts/checksums.ts'
import { FORMULA_TARGETS, releaseDownloadBase, renderFormula } from '../../scripts/homebrew-formula.ts'
import { findTargets } from '../../scripts/targets.ts'

const root = resolve(import.meta.dir, '../..')
const template = await Bun.file(join(root, 'packaging/homebrew/proxmcp.rb.template')).text()
const pkg = await Bun.file(join(root, 'package.json')).json()
const BASE = 'https://github.com/proxmcp/proxmcp/releases/download'
let work = ''
let checksums = new Map<string, string>()

/** One `url` and `sha256` pair of the formula, with the on_<os> and on_<arch> blocks around it. */
interface Bottle {
  os: string
  arch: string
  url: string
  sha256: string
}

function bottles(formula: string): Bottle[] {
  const found: Bottle[] = []
  let os = ''
  let arch = ''
  let url = ''
  for (const line of formula.split('\n').map((text) => text.trim())) {
    os = /^on_(macos|linux) do$/.exec(line)?.[1] ?? os
    arch = /^on_(arm|intel) do$/.exec(line)?.[1] ?? arch
    url = /^url "(.+)"$/.exec(line)?.[1] ?? url
    const sha256 = /^sha256 "(.+)"$/.exec(line)?.[1]
    if (sha256) found.push({ os, arch, url, sha256 })
  }
  return found
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'proxmcp-formula-'))
  const archives = await Promise.all(
    findTargets(FORMULA_TARGETS).map(async (target) => {
      // Distinct contents, so a checksum landing in the wrong block shows.
      const file = join(work, target.name, 'proxmcp')
      await Bun.write(file, `#!/bin/sh\necho ${target.name}\n`)
      return createArchive(target, pkg.version, [file], work)
    }),
  )
  checksums = parseChecksums(await formatChecksums(archives))
})

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true })
})

test("the rendered formula points each OS and CPU at its own archive, with that archive's SHA-256", async () => {
  const formula = renderFormula(template, { version: pkg.version, downloadBase: BASE, checksums })
  expect(formula).not.toContain('{{')
  expect(formula).toContain(`version "${pkg.version}"`)
  const found = bottles(formula)
  expect(found.map(({ os, arch }) => `${os}/${arch}`)).toEqual([
    'macos/arm',
    'macos/intel',
    'linux/arm',
    'linux/intel',
  ])
  for (const { os, arch, url, sha256 } of found) {
    const platform = `${os === 'macos' ? 'darwin' : 'linux'}-${arch === 'arm' ? 'arm64' : 'x64'}`
    expect(url).toBe(`${BASE}/v${pkg.version}/proxmcp-${pkg.version}-${platform}.tar.gz`)
    expect(sha256).toBe(await sha256File(join(work, basename(url))))
  }
})

test('the formula installs proxmcp and tests it against its version', () => {
  expect(template).toContain('bin.install "proxmcp"')
  expect(template).toContain('assert_match version.to_s, shell_output("#{bin}/proxmcp --version")')
})

test('rendering fails, naming the archive, when one the formula needs was not built', () => {
  const partial = new Map([...checksums].filter(([name]) => !name.includes('darwin-x64')))
  expect(() =>
    renderFormula(template, { version: pkg.version, downloadBase: BASE, checksums: partial }),
  ).toThrow(`proxmcp-${pkg.version}-darwin-x64.tar.gz`)
})

test('the download base comes from package.json repository', () => {
  expect(releaseDownloadBase(pkg.repository)).toBe(BASE)
  expect(() => releaseDownloadBase('https://gitlab.com/proxmcp/proxmcp')).toThrow('not a GitHub repository')
})
