import { existsSync } from 'node:fs'

/** A platform we ship a standalone executable for. */
export interface Target {
  /** `<os>-<arch>[-musl]`, as it appears in archive names. */
  name: string
  os: 'linux' | 'darwin' | 'windows'
  arch: 'x64' | 'arm64'
  libc?: 'musl'
}

export const TARGETS: readonly Target[] = [
  { name: 'linux-x64', os: 'linux', arch: 'x64' },
  { name: 'linux-arm64', os: 'linux', arch: 'arm64' },
  { name: 'linux-x64-musl', os: 'linux', arch: 'x64', libc: 'musl' },
  { name: 'linux-arm64-musl', os: 'linux', arch: 'arm64', libc: 'musl' },
  { name: 'darwin-x64', os: 'darwin', arch: 'x64' },
  { name: 'darwin-arm64', os: 'darwin', arch: 'arm64' },
  { name: 'windows-x64', os: 'windows', arch: 'x64' },
]

/** The targets named on the command line; an unknown name throws, listing the known ones. */
export function findTargets(names: string[]): Target[] {
  return names.map((name) => {
    const target = TARGETS.find((candidate) => candidate.name === name)
    if (!target) throw new Error(`unknown target ${name}; known: ${TARGETS.map((t) => t.name).join(', ')}`)
    return target
  })
}

/** The target of the machine running the build (musl when the system's loader is musl's). */
export function hostTarget(): Target {
  const os = { linux: 'linux', darwin: 'darwin', win32: 'windows' }[process.platform as string]
  const arch = process.arch === 'x64' || process.arch === 'arm64' ? process.arch : undefined
  if (!os || !arch)
    throw new Error(`no executable target for this host (${process.platform}-${process.arch})`)
  const musl = os === 'linux' && existsSync(`/lib/ld-musl-${arch === 'x64' ? 'x86_64' : 'aarch64'}.so.1`)
  const [target] = findTargets([`${os}-${arch}${musl ? '-musl' : ''}`])
  return target as Target
}

/** `proxmcp` or `proxmcp.exe`. */
export function executableName(target: Target): string {
  return target.os === 'windows' ? 'proxmcp.exe' : 'proxmcp'
}

/** `proxmcp-<version>-<os>-<arch>[-musl].tar.gz`, `.zip` on Windows. */
export function archiveName(target: Target, version: string): string {
  return `proxmcp-${version}-${target.name}.${target.os === 'windows' ? 'zip' : 'tar.gz'}`
}
