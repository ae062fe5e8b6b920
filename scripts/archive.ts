import { basename, dirname, join } from 'node:path'
import { archiveName, type Target } from './targets.ts'

/**
 * Packs `files` (the executable first, then documents) flat at the archive's root into
 * `releaseDir`: tar.gz for Unix targets, zip for Windows. Returns the archive's path.
 */
export async function createArchive(
  target: Target,
  version: string,
  files: string[],
  releaseDir: string,
): Promise<string> {
  const archive = join(releaseDir, archiveName(target, version))
  const cmd =
    target.os === 'windows'
      ? ['zip', '-q', '-j', '-X', archive, ...files]
      : ['tar', '-czf', archive, ...files.flatMap((file) => ['-C', dirname(file), basename(file)])]
  const tool = cmd[0] as string
  if (!Bun.which(tool)) throw new Error(`${tool} is needed to pack ${basename(archive)}`)
  // COPYFILE_DISABLE keeps macOS tar from adding AppleDouble (._*) entries.
  const child = Bun.spawn({ cmd, env: { ...process.env, COPYFILE_DISABLE: '1' }, stderr: 'pipe' })
  if ((await child.exited) !== 0) {
    throw new Error(`packing ${basename(archive)} failed: ${await new Response(child.stderr).text()}`)
  }
  return archive
}
