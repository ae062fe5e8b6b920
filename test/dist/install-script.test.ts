import { afterAll, beforeAll, expect, test } from 'bun:test'
import { chmod, mkdir, mkdtemp, readdir, rm, symlink } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { delimiter, join, resolve } from 'node:path'
import { createArchive } from '../../scripts/archive.ts'
import { formatChecksums } from '../../scripts/checksums.ts'
import { archiveName, findTargets, hostTarget } from '../../scripts/targets.ts'

const root = resolve(import.meta.dir, '../..')
const script = join(root, 'install.sh')
const UNIX_TARGETS = findTargets([
  'linux-x64',
  'linux-arm64',
  'linux-x64-musl',
  'linux-arm64-musl',
  'darwin-x64',
  'darwin-arm64',
])
let work = ''
let server: ReturnType<typeof Bun.serve> | undefined
let base = ''

/**
 * A fake release, packed by build.ts's own packer: `proxmcp` is a shell script printing the
 * version. 1.2.3 has every Unix target and is the latest; 6.6.6 has only linux-x64, tampered with.
 */
async function writeRelease(version: string, targets = UNIX_TARGETS, tamper = false): Promise<void> {
  const dir = join(work, 'releases', `v${version}`)
  await mkdir(dir, { recursive: true })
  const executable = join(work, 'payload', version, 'proxmcp')
  await Bun.write(executable, `#!/bin/sh\necho ${version}\n`)
  await chmod(executable, 0o755)
  const archives = await Promise.all(
    targets.map((target) => createArchive(target, version, [executable], dir)),
  )
  await Bun.write(join(dir, 'SHA256SUMS'), await formatChecksums(archives))
  if (tamper) {
    const archive = archives[0] as string
    await Bun.write(archive, Buffer.concat([await Bun.file(archive).bytes(), Buffer.from('x')]))
  }
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'proxmcp-install-'))
  await writeRelease('1.2.3')
  await writeRelease('6.6.6', findTargets(['linux-x64']), true)
  const releases = join(work, 'releases')
  server = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    async fetch(request) {
      const path = decodeURIComponent(new URL(request.url).pathname)
      const file = path.startsWith('/releases/latest/download/')
        ? join(releases, 'v1.2.3', path.slice('/releases/latest/download/'.length))
        : join(releases, path.slice('/releases/download/'.length))
      if (!file.startsWith(releases) || path.includes('..')) return new Response('bad path', { status: 400 })
      const body = Bun.file(file)
      return (await body.exists()) ? new Response(body) : new Response('not found', { status: 404 })
    },
  })
  base = `http://127.0.0.1:${server.port}/releases/download`
})

afterAll(async () => {
  await server?.stop(true)
  if (work) await rm(work, { recursive: true, force: true })
})

interface Install {
  code: number
  stdout: string
  stderr: string
  installDir: string
}

/** Runs install.sh with `sh` (dash on Debian), piped on stdin as `curl ... | sh` does. */
async function install(env: Record<string, string>, path = process.env.PATH ?? ''): Promise<Install> {
  const installDir = join(await mkdtemp(join(work, 'run-')), 'bin')
  const child = Bun.spawn(['sh'], {
    stdin: Bun.file(script),
    stdout: 'pipe',
    stderr: 'pipe',
    env: { PATH: path, HOME: work, PROXMCP_DOWNLOAD_BASE: base, PROXMCP_INSTALL_DIR: installDir, ...env },
  })
  const [stdout, stderr] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
  ])
  return { code: await child.exited, stdout, stderr, installDir }
}

async function installedOutput(installDir: string): Promise<string> {
  const child = Bun.spawn([join(installDir, 'proxmcp')], { stdout: 'pipe' })
  return (await new Response(child.stdout).text()).trim()
}

test('installs the latest release for this machine, verified, and the installed proxmcp runs', async () => {
  const result = await install({})
  expect(result.stderr).toBe('')
  expect(result.code).toBe(0)
  expect(result.stdout).toContain(`downloading ${archiveName(hostTarget(), '1.2.3')}`)
  expect(await installedOutput(result.installDir)).toBe('1.2.3')
  expect(result.stdout).toContain(`export PATH="${result.installDir}:$PATH"`)
})

test.each([
  ['linux', 'arm64', 'musl', 'linux-arm64-musl'],
  ['darwin', 'arm64', '', 'darwin-arm64'],
  ['Linux', 'x86_64', 'glibc', 'linux-x64'],
])('PROXMCP_OS=%s PROXMCP_ARCH=%s PROXMCP_LIBC=%s picks %s', async (os, arch, libc, platform) => {
  const result = await install({
    PROXMCP_OS: os,
    PROXMCP_ARCH: arch,
    PROXMCP_LIBC: libc,
    PROXMCP_VERSION: 'v1.2.3',
  })
  expect(result.code).toBe(0)
  expect(result.stdout).toContain(`downloading proxmcp-1.2.3-${platform}.tar.gz`)
  expect(await installedOutput(result.installDir)).toBe('1.2.3')
})

test('a tampered archive is refused with a clear message, and nothing is installed', async () => {
  const result = await install({
    PROXMCP_VERSION: '6.6.6',
    PROXMCP_OS: 'linux',
    PROXMCP_ARCH: 'x64',
    PROXMCP_LIBC: 'glibc',
  })
  expect(result.code).not.toBe(0)
  expect(result.stderr).toContain('checksum mismatch for proxmcp-6.6.6-linux-x64.tar.gz')
  expect(await readdir(result.installDir).catch(() => [])).toEqual([])
})

test.each([
  ['an unknown OS', { PROXMCP_OS: 'FreeBSD' }, 'unsupported operating system: FreeBSD'],
  ['Windows', { PROXMCP_OS: 'MINGW64_NT-10.0' }, 'Windows is not supported by this script'],
  ['an unknown CPU', { PROXMCP_ARCH: 'riscv64' }, 'unsupported architecture: riscv64'],
  ['an unknown libc', { PROXMCP_OS: 'linux', PROXMCP_LIBC: 'uclibc' }, 'unsupported C library: uclibc'],
  [
    'a release without this platform',
    { PROXMCP_VERSION: '6.6.6', PROXMCP_OS: 'linux', PROXMCP_ARCH: 'arm64' },
    'release 6.6.6 has no proxmcp-6.6.6-linux-arm64',
  ],
  [
    'a version never released',
    { PROXMCP_VERSION: '9.9.9' },
    'v9.9.9/SHA256SUMS; is 9.9.9 a ProxMCP release?',
  ],
  ['a version that is no version', { PROXMCP_VERSION: '1.2.3;rm' }, 'invalid PROXMCP_VERSION: 1.2.3;rm'],
])('%s fails with a clear error', async (_case, env, message) => {
  const result = await install(env)
  expect(result.code).toBe(1)
  // Ours is the last line; curl may have said why before it.
  expect(result.stderr.trim().split('\n').at(-1)).toStartWith('proxmcp-install: error: ')
  expect(result.stderr).toContain(message)
})

test('downloads with wget when curl is missing', async () => {
  if (!Bun.which('wget')) return console.log('[dist] skipped the wget case: wget is not installed')
  // A PATH holding everything the current one does, except curl.
  const shim = join(work, 'no-curl')
  await mkdir(shim)
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    for (const name of await readdir(dir).catch(() => [] as string[])) {
      if (name !== 'curl') await symlink(join(dir, name), join(shim, name)).catch(() => {})
    }
  }
  const result = await install({ PROXMCP_VERSION: '1.2.3' }, shim)
  expect(result.code).toBe(0)
  expect(await installedOutput(result.installDir)).toBe('1.2.3')
})

test('install.sh passes ShellCheck as POSIX sh', async () => {
  if (!Bun.which('shellcheck')) {
    return console.log('[dist] skipped ShellCheck: shellcheck is not on PATH (apt-get install shellcheck)')
  }
  const child = Bun.spawn(['shellcheck', '--shell=sh', '--severity=style', script], { stdout: 'pipe' })
  const output = await new Response(child.stdout).text()
  expect({ code: await child.exited, output }).toEqual({ code: 0, output: '' })
})
