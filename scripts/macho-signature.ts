import { createHash } from 'node:crypto'

const MH_MAGIC_64 = 0xfeedfacf
const LC_CODE_SIGNATURE = 0x1d
const CSMAGIC_EMBEDDED_SIGNATURE = 0xfade0cc0
const CSMAGIC_CODEDIRECTORY = 0xfade0c02
const HASHES: Record<number, string> = { 1: 'sha1', 2: 'sha256' }
/** Special slots whose blob we can hash: requirements, entitlements, DER entitlements. */
const HASHED_SPECIAL_SLOTS = [2, 5, 7]

/**
 * Why the embedded code signature of a thin 64-bit Mach-O file would not pass
 * `codesign --verify --strict`, or undefined when every hash in it matches.
 * Checks what an ad-hoc signature consists of (page hashes, special slots, code limit,
 * nothing after the signature); it cannot check a certificate chain.
 */
export function codeSignatureProblem(file: Uint8Array): string | undefined {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength)
  if (view.getUint32(0, true) !== MH_MAGIC_64) return 'not a thin 64-bit Mach-O file'
  const signature = findSignature(view)
  if (!signature) return 'not signed'
  if (signature.offset + signature.size !== file.length) return 'data after the signature'
  const start = signature.offset
  if (view.getUint32(start) !== CSMAGIC_EMBEDDED_SIGNATURE) return 'no embedded signature blob'
  const blobs = new Map<number, number>()
  for (let index = 0; index < view.getUint32(start + 8); index++) {
    blobs.set(view.getUint32(start + 12 + index * 8), start + view.getUint32(start + 16 + index * 8))
  }
  const directory = blobs.get(0)
  if (directory === undefined || view.getUint32(directory) !== CSMAGIC_CODEDIRECTORY) {
    return 'no code directory'
  }
  return codeDirectoryProblem(file, view, directory, signature.offset, blobs)
}

function findSignature(view: DataView): { offset: number; size: number } | undefined {
  let command = 32
  for (let index = 0; index < view.getUint32(16, true); index++) {
    if (view.getUint32(command, true) === LC_CODE_SIGNATURE) {
      return { offset: view.getUint32(command + 8, true), size: view.getUint32(command + 12, true) }
    }
    command += view.getUint32(command + 4, true)
  }
  return undefined
}

function codeDirectoryProblem(
  file: Uint8Array,
  view: DataView,
  at: number,
  signatureOffset: number,
  blobs: Map<number, number>,
): string | undefined {
  const hashOffset = at + view.getUint32(at + 16)
  const specialSlots = view.getUint32(at + 24)
  const codeSlots = view.getUint32(at + 28)
  const codeLimit = view.getUint32(at + 32)
  const hashSize = view.getUint8(at + 36)
  const algorithm = HASHES[view.getUint8(at + 37)]
  const pageSize = 2 ** view.getUint8(at + 39)
  if (!algorithm) return `unsupported hash type ${view.getUint8(at + 37)}`
  if (codeLimit !== signatureOffset) {
    return `code limit ${codeLimit} is not where the signature starts (${signatureOffset})`
  }
  const digest = (bytes: Uint8Array) => createHash(algorithm).update(bytes).digest()
  const slot = (index: number) =>
    file.subarray(hashOffset + index * hashSize, hashOffset + (index + 1) * hashSize)
  if (codeSlots !== Math.ceil(codeLimit / pageSize)) return `${codeSlots} page hashes for ${codeLimit} bytes`
  for (let page = 0; page < codeSlots; page++) {
    const bytes = file.subarray(page * pageSize, Math.min((page + 1) * pageSize, codeLimit))
    if (!digest(bytes).equals(slot(page))) return `page ${page} does not match its hash`
  }
  for (const type of HASHED_SPECIAL_SLOTS.filter((type) => type <= specialSlots)) {
    const blob = blobs.get(type)
    const expected =
      blob === undefined
        ? new Uint8Array(hashSize)
        : digest(file.subarray(blob, blob + view.getUint32(blob + 4)))
    if (!Buffer.from(slot(-type)).equals(expected)) return `special slot ${type} does not match its blob`
  }
  return undefined
}
