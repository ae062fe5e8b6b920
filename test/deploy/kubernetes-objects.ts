import { join } from 'node:path'
import ts from 'typescript'

/** A Kubernetes object as it is written in a manifest, and where it came from. */
export interface KubeObject {
  apiVersion: string
  kind: string
  metadata: { name: string; [key: string]: unknown }
  [key: string]: unknown
}

/** An object and the file or render it came from, for messages. */
export interface Located {
  object: KubeObject
  from: string
}

export const REPO = join(import.meta.dir, '..', '..')

/**
 * The documents of a YAML stream (a manifest file, `helm template`'s output), empty ones left
 * out. Split on `---` lines, since `Bun.YAML.parse` returns a single document bare.
 */
export function yamlDocuments(text: string): unknown[] {
  return text
    .split(/^---[ \t]*$/m)
    .map((chunk) => Bun.YAML.parse(chunk))
    .filter((document) => document !== null && document !== undefined)
}

/** The Kubernetes objects of a YAML stream; anything else in it fails the test that asked. */
export function kubeObjects(text: string, from: string): Located[] {
  return yamlDocuments(text).map((document) => {
    const object = document as Partial<KubeObject>
    if (typeof object.apiVersion !== 'string' || typeof object.kind !== 'string' || !object.metadata?.name) {
      throw new Error(`${from}: a document without apiVersion, kind and metadata.name`)
    }
    return { object: object as KubeObject, from }
  })
}

/** kubernetes-models' module for an object's type: `apps/v1` + `Deployment` → `kubernetes-models/apps/v1/Deployment`. */
function modelPath({ apiVersion, kind }: KubeObject): string {
  return `kubernetes-models/${apiVersion}/${kind}`
}

/**
 * Problems the Kubernetes OpenAPI schema (as compiled by kubernetes-models) finds in an object:
 * types, required fields, enums, formats. It allows unknown fields, as the API server's schema
 * does; `unknownFields` catches those.
 */
export async function schemaProblems({ object, from }: Located): Promise<string[]> {
  const label = `${from}: ${object.kind}/${object.metadata.name}`
  let model: Record<string, new (data: unknown) => { validate(): void }>
  try {
    model = await import(modelPath(object))
  } catch {
    return [`${label}: no schema for ${object.apiVersion} ${object.kind}`]
  }
  const Model = model[object.kind]
  if (!Model) return [`${label}: no schema for ${object.apiVersion} ${object.kind}`]
  try {
    new Model(object).validate()
    return []
  } catch (error) {
    const errors = (error as { errors?: { instancePath: string; message?: string }[] }).errors ?? []
    return errors.length > 0
      ? errors.map((problem) => `${label}: ${problem.instancePath || '/'} ${problem.message}`)
      : [`${label}: ${(error as Error).message}`]
  }
}

/**
 * Unknown or mistyped fields (a misspelled `readinesProbe` that the schema would let through),
 * found by type-checking each object as an object literal of kubernetes-models' interface for
 * its kind: TypeScript's excess property check is the strict schema check. The file is virtual,
 * placed in this folder so that `kubernetes-models` resolves from the repository.
 */
export function unknownFields(objects: Located[]): string[] {
  const fileName = join(import.meta.dir, '__manifests__.ts')
  const lines: string[] = []
  const owners: { firstLine: number; label: string }[] = []
  objects.forEach(({ object, from }, index) => {
    owners.push({ firstLine: lines.length, label: `${from}: ${object.kind}/${object.metadata.name}` })
    lines.push(`import type { I${object.kind} as T${index} } from '${modelPath(object)}'`)
    lines.push(...`export const o${index}: T${index} = ${JSON.stringify(object, null, 1)}`.split('\n'))
  })
  const text = lines.join('\n')
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.Preserve,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    types: [],
  }
  const host = ts.createCompilerHost(options)
  const { getSourceFile, fileExists, readFile } = host
  host.getSourceFile = (name, version, ...rest) =>
    name === fileName
      ? ts.createSourceFile(name, text, version, true)
      : getSourceFile.call(host, name, version, ...rest)
  host.fileExists = (name) => name === fileName || fileExists.call(host, name)
  host.readFile = (name) => (name === fileName ? text : readFile.call(host, name))
  const program = ts.createProgram({ rootNames: [fileName], options, host })
  const source = program.getSourceFile(fileName)
  return ts.getPreEmitDiagnostics(program, source).map((diagnostic) => {
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ')
    if (diagnostic.file?.fileName !== fileName || diagnostic.start === undefined) return message
    const { line } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start)
    const owner = owners.findLast((candidate) => candidate.firstLine <= line)
    return `${owner?.label}: ${message} (line ${line - (owner?.firstLine ?? 0)} of the object)`
  })
}

/** Where `helm` is, if it is on PATH. */
export const helm = Bun.which('helm')

/** Runs helm in the repository: its stdout, or an error with its stderr. */
export function runHelm(args: string[]): string {
  const result = Bun.spawnSync([helm ?? 'helm', ...args], { cwd: REPO, stderr: 'pipe', stdout: 'pipe' })
  if (result.exitCode !== 0) {
    throw new Error(`helm ${args.join(' ')} exited with ${result.exitCode}: ${result.stderr.toString()}`)
  }
  return result.stdout.toString()
}

/** Runs helm expecting it to fail: its stderr. */
export function helmFailure(args: string[]): string {
  const result = Bun.spawnSync([helm ?? 'helm', ...args], { cwd: REPO, stderr: 'pipe', stdout: 'pipe' })
  if (result.exitCode === 0) throw new Error(`helm ${args.join(' ')} succeeded`)
  return result.stderr.toString()
}
