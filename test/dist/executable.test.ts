import { afterAll, beforeAll, expect, test } from 'bun:test'
import { mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { parseChecksums, sha256File } from '../../scripts/checksums.ts'
import { archiveName, executableName, hostTarget } from '../../scripts/targets.ts'
import { runSpecConfig, startSpecUpstreams } from '../helpers/spec-config.ts'
import { stdioFixture } from '../helpers/stdio-fixture.ts'
import { expectServesFixture, startCli } from './run-cli.ts'

const root = resolve(import.meta.dir, '../..')
const { version } = await Bun.file(join(root, 'package.json')).json()
const target = hostTarget()
let outDir = ''
let executable = ''

async function run(cmd: string[], cwd: string) {
  const child = Bun.spawn(cmd, { cwd, stdout: 'pipe', stderr: 'pipe' })
  const [stdout, stderr] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
  ])
  return { code: await child.exited, stdout, stderr }
}

beforeAll(async () => {
  outDir = await mkdtemp(join(tmpdir(), 'proxmcp-executable-'))
  const started = performance.now()
  const build = await run([process.execPath, 'build.ts', '--host-only', '--out-dir', outDir], root)
  if (build.code !== 0) throw new Error(`build.ts --host-only failed:\n${build.stdout}${build.stderr}`)
  executable = join(outDir, 'bin', target.name, executableName(target))
  console.log(
    `[dist] build.ts --host-only (${target.name}): ${((performance.now() - started) / 1000).toFixed(1)} s`,
  )
}, 120_000)

afterAll(async () => {
  if (outDir) await rm(outDir, { recursive: true, force: true })
})

test('the executable prints the version baked in from package.json', async () => {
  // Run where there is no package.json to read it from.
  const started = performance.now()
  const result = await run([executable, '--version'], outDir)
  const elapsed = performance.now() - started
  expect(result).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' })
  console.log(`[dist] ${target.name} --version: ${elapsed.toFixed(0)} ms`)
})

test('the executable ignores bunfig.toml and .env in its working directory', async () => {
  const cwd = join(outDir, 'hostile-cwd')
  await Bun.write(join(cwd, 'bunfig.toml'), 'preload = ["./preload.ts"]\n')
  await Bun.write(join(cwd, 'preload.ts'), 'console.log("preloaded")\n')
  // Were .env loaded, PORT would be read (and rejected) before the missing upstreams are noticed.
  await Bun.write(join(cwd, '.env'), 'PORT=from-dotenv\n')
  const result = await run([executable], cwd)
  expect(result.code).toBe(2)
  expect(result.stdout).toBe('')
  expect(result.stderr).toContain('no upstreams')
})

test('the executable serves /healthz and MCP through a stdio upstream, then exits 0 on SIGTERM leaving nothing running', async () => {
  const { size } = await stat(executable)
  const startups: number[] = []
  for (let round = 0; round < 3; round++) {
    const marker = `exe${round}x${Date.now().toString(36)}`
    const cli = await startCli([executable], { marker, cwd: outDir })
    startups.push(cli.startupMs)
    try {
      if (round === 0) await expectServesFixture(cli.url, marker)
    } finally {
      expect(await cli.stop()).toBe(0)
    }
  }
  const sorted = startups.map((ms) => ms.toFixed(0))
  console.log(
    `[dist] ${target.name} executable: ${(size / 1e6).toFixed(1)} MB; spawn to first /healthz 200: ${sorted.join(', ')} ms`,
  )
}, 60_000)

test('the executable loads a TypeScript config file from its working directory', async () => {
  const marker = `cfg${Date.now().toString(36)}`
  const cwd = join(outDir, 'with-config')
  const upstream = { id: 'fixture', command: stdioFixture(marker) }
  await Bun.write(
    join(cwd, 'proxmcp.config.ts'),
    `const upstreams: { id: string; command: string[] }[] = [${JSON.stringify(upstream)}]\nexport default { upstreams }\n`,
  )
  const cli = await startCli([executable], { marker, cwd, args: [] })
  try {
    await expectServesFixture(cli.url, marker)
  } finally {
    expect(await cli.stop()).toBe(0)
  }
}, 30_000)

test('the archive holds proxmcp, LICENSE and README.md at its root and matches SHA256SUMS', async () => {
  const releaseDir = join(outDir, 'release')
  const archive = archiveName(target, version)
  const sums = parseChecksums(await Bun.file(join(releaseDir, 'SHA256SUMS')).text())
  expect([...sums.keys()]).toEqual([archive])
  expect(sums.get(archive)).toBe(await sha256File(join(releaseDir, archive)))
  const list = archive.endsWith('.zip') ? ['unzip', '-Z1', archive] : ['tar', '-tzf', archive]
  const listing = await run(list, releaseDir)
  expect(listing.stdout.trim().split('\n').sort()).toEqual(['LICENSE', 'README.md', executableName(target)])
  if (Bun.which('sha256sum')) expect((await run(['sha256sum', '-c', 'SHA256SUMS'], releaseDir)).code).toBe(0)
})

test('the executable runs the product description config, verbatim, with its @proxmcp/* imports', async () => {
  const stopUpstreams = await startSpecUpstreams()
  try {
    await runSpecConfig([executable])
  } finally {
    await stopUpstreams()
  }
}, 60_000)
