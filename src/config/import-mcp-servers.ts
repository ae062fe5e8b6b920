import { type ParseError, parse, printParseErrorCode } from 'jsonc-parser'
import { fromMcpServers, type McpServersOptions } from './mcp-servers.ts'
import { ConfigError } from './resolve.ts'
import type { UpstreamInput } from './schema.ts'

/**
 * The upstreams of an MCP client's config file (see {@link fromMcpServers}), read as the clients
 * read it: JSON with comments and trailing commas, `~` for the home folder, `${env:NAME}` from
 * this process's environment, and `${workspaceFolder}` the folder holding `.vscode/` or
 * `.cursor/` (else the file's own). Node's file APIs are loaded only when it is called, so the
 * module stays importable where there are no files (Workers).
 *
 * @example
 * ```ts
 * export default defineConfig({ upstreams: await importMcpServers('~/.cursor/mcp.json') })
 * ```
 */
export async function importMcpServers(
  path: string,
  options: Omit<McpServersOptions, 'source'> = {},
): Promise<UpstreamInput[]> {
  const [{ readFile }, { homedir }, { basename, dirname, resolve }] = await Promise.all([
    import('node:fs/promises'),
    import('node:os'),
    import('node:path'),
  ])
  const file = resolve(path.replace(/^~(?=$|[\\/])/, homedir()))
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    throw new ConfigError([`${file}: cannot be read (${(error as NodeJS.ErrnoException).code ?? error})`])
  }
  const errors: ParseError[] = []
  const json = parse(text, errors, { allowTrailingComma: true })
  if (errors.length > 0) {
    throw new ConfigError(
      errors.map((error) => `${file}:${lineOf(text, error.offset)}: ${describeParseError(error)}`),
    )
  }
  const folder = dirname(file)
  return fromMcpServers(json, {
    env: process.env,
    home: homedir(),
    workspace: ['.vscode', '.cursor'].includes(basename(folder)) ? dirname(folder) : folder,
    ...options,
    source: file,
  })
}

function lineOf(text: string, offset: number): number {
  return text.slice(0, offset).split('\n').length
}

function describeParseError(error: ParseError): string {
  return `not valid JSON (${printParseErrorCode(error.error)})`
}
