import { codeSignatureProblem } from './macho-signature.ts'

/**
 * Makes sure a darwin executable will start on macOS, where arm64 code must carry a valid
 * signature. On macOS it re-signs ad hoc with `codesign` and verifies strictly (throws if that
 * fails). Elsewhere it can only check the signature Bun wrote: the answer is a warning to print,
 * or undefined when it is valid. Measured with Bun 1.4.5 on Linux: darwin-arm64 executables get a
 * valid ad-hoc signature, but darwin-x64 ones keep the runtime's original signature, which no
 * longer matches the file; so releases are built on macOS.
 */
export async function ensureDarwinSignature(path: string): Promise<string | undefined> {
  if (process.platform === 'darwin' && Bun.which('codesign')) {
    // A stale signature can make `codesign --force` refuse the file, so it goes first.
    await run(['codesign', '--remove-signature', path], false)
    await run(['codesign', '--force', '--sign', '-', path])
    await run(['codesign', '--verify', '--strict', path])
    return undefined
  }
  const problem = codeSignatureProblem(new Uint8Array(await Bun.file(path).arrayBuffer()))
  return problem && `${path}: code signature invalid (${problem}); build on macOS to re-sign it with codesign`
}

async function run(cmd: string[], mustSucceed = true): Promise<void> {
  const child = Bun.spawn({ cmd, stdout: 'inherit', stderr: 'inherit' })
  if ((await child.exited) !== 0 && mustSucceed) throw new Error(`${cmd.join(' ')} failed`)
}
