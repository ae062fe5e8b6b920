import { afterAll, beforeAll, expect, test } from 'bun:test'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { expectServesFixture, startCli } from './run-cli.ts'

const root = resolve(import.meta.dir, '../..')
const { version } = await Bun.file(join(root, 'package.json')).json()
const RUNTIMES = [
  ['Node', 'node'],
  ['Bun', process.execPath],
] as const
let work = ''
let app = ''
let packed: string[] = []

async function run(cmd: string[], cwd: string) {
  const child = Bun.spawn(cmd, { cwd, stdout: 'pipe', stderr: 'pipe' })
  const [stdout, stderr] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
  ])
  const code = await child.exited
  return { code, stdout, stderr }
}

async function mustRun(cmd: string[], cwd: string): Promise<string> {
  const result = await run(cmd, cwd)
  if (result.code !== 0)
    throw new Error(`${cmd.join(' ')} exited ${result.code}:\n${result.stdout}${result.stderr}`)
  return result.stdout
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'proxmcp-npm-'))
  // What `npm pack` runs as prepack, done here so its output stays out of the JSON.
  await mustRun([process.execPath, 'build.ts', '--node-only'], root)
  const pack = await mustRun(['npm', 'pack', '--json', '--ignore-scripts', '--pack-destination', work], root)
  const [info] = JSON.parse(pack) as { filename: string; files: { path: string }[] }[]
  if (!info) throw new Error(`npm pack printed no package: ${pack}`)
  packed = info.files.map((file) => file.path)
  app = join(work, 'app')
  await mkdir(app)
  await Bun.write(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }))
  await mustRun(
    [
      'npm',
      'install',
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
      '--ignore-scripts',
      join(work, info.filename),
    ],
    app,
  )
}, 180_000)

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true })
})

test('the tarball holds the bundles, their lazily loaded chunks, the declarations, README and LICENSE, and nothing else', () => {
  expect(packed).toContain('dist/cli.js')
  expect(packed).toContain('dist/index.js')
  expect(packed).toContain('dist/index.d.ts')
  expect(packed.some((path) => /^dist\/chunks\/otel-sdk-.+\.js$/.test(path))).toBe(true)
  const unexpected = packed.filter(
    (path) =>
      !/^dist\/(chunks\/)?[^/]+\.js$|^dist\/.+\.d\.ts$|^(package\.json|README\.md|LICENSE)$/.test(path),
  )
  expect(unexpected).toEqual([])
})

test('the bin link npm made runs the CLI', async () => {
  expect((await mustRun([join(app, 'node_modules/.bin/proxmcp'), '--version'], app)).trim()).toBe(version)
})

test.each(RUNTIMES)(
  'under %s the installed CLI prints its version and serves MCP',
  async (_name, runtime) => {
    const cli = join(app, 'node_modules/proxmcp/dist/cli.js')
    expect((await mustRun([runtime, cli, '--version'], app)).trim()).toBe(version)
    const marker = `npm${_name}${Date.now().toString(36)}`
    const running = await startCli([runtime, cli], { marker, cwd: app })
    try {
      await expectServesFixture(running.url, marker)
    } finally {
      expect(await running.stop()).toBe(0)
    }
  },
  60_000,
)

test.each(RUNTIMES)('under %s the installed library imports by its package name', async (_name, runtime) => {
  await Bun.write(
    join(app, 'import.mjs'),
    "const api = await import('proxmcp')\nconsole.log(Object.keys(api).sort().join(','))\n",
  )
  const names = (await mustRun([runtime, 'import.mjs'], app)).trim().split(',')
  expect(names).toEqual(expect.arrayContaining(['ProxMCP', 'defineConfig', 'ProxyError']))
})

test('the declarations type-check a consumer that resolves like Node (nodenext)', async () => {
  await Bun.write(
    join(app, 'consumer.ts'),
    [
      "import { defineConfig, ProxMCP } from 'proxmcp'",
      "const config = defineConfig({ upstreams: [{ id: 'a', url: 'http://127.0.0.1:3001/mcp' }] })",
      'export const proxy: ProxMCP = new ProxMCP(config)',
      '// @ts-expect-error upstreams is an array',
      'defineConfig({ upstreams: 5 })',
      '',
    ].join('\n'),
  )
  const compilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    module: 'nodenext',
    moduleResolution: 'nodenext',
    target: 'es2022',
    types: [],
  }
  await Bun.write(join(app, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: ['consumer.ts'] }))
  const tsc = await run(['node', join(root, 'node_modules/typescript/bin/tsc'), '-p', app], app)
  expect(tsc).toMatchObject({ code: 0, stdout: '' })
}, 60_000)
