import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { JsonObject } from '../helpers/compare-servers.ts'

const NODE_MODULES = join(import.meta.dir, '../../node_modules')

/** A published MCP server from npm, pinned in package.json, and how to run it offline without keys. */
export interface PublishedServer {
  /** Its npm package; the version is the one package.json pins. */
  package: string
  /** Which of the package's bins, where it has several. */
  bin?: string
  /** Arguments after its entry script; `workDir` is an empty temporary directory of its own. */
  args?: (workDir: string) => string[]
  env?: (workDir: string, api: string) => Record<string, string>
  /** Files it expects in its working directory. */
  files?: Record<string, string>
  /**
   * A stand-in on loopback for the web API it calls (`api` above is its URL): with no network
   * and no key, its calls would only fail.
   */
  api?: (request: Request) => Response
  /** One request that changes nothing and answers the same every time. */
  call: { method: string; params: JsonObject }
}

const tool = (name: string, args: JsonObject = {}) => ({
  method: 'tools/call',
  params: { name, arguments: args },
})

export const PUBLISHED_SERVERS: PublishedServer[] = [
  {
    package: '@modelcontextprotocol/server-everything',
    args: () => ['stdio'],
    call: tool('echo', { message: 'through the proxy' }),
  },
  {
    package: '@modelcontextprotocol/server-filesystem',
    args: (workDir) => [workDir],
    files: { 'hello.txt': 'hello\n' },
    call: tool('list_directory', { path: '.' }),
  },
  {
    package: '@modelcontextprotocol/server-memory',
    env: (workDir) => ({ MEMORY_FILE_PATH: join(workDir, 'memory.jsonl') }),
    call: tool('read_graph'),
  },
  {
    package: '@modelcontextprotocol/server-sequential-thinking',
    env: () => ({ DISABLE_THOUGHT_LOGGING: 'true' }),
    call: tool('sequentialthinking', {
      thought: 'One step',
      thoughtNumber: 1,
      totalThoughts: 1,
      nextThoughtNeeded: false,
    }),
  },
  {
    // The low-level Server, with the SDK bundled in playwright-core; pointed at no browser.
    package: '@playwright/mcp',
    args: () => ['--headless', '--isolated', '--executable-path', '/nonexistent/chrome'],
    call: tool('browser_tabs', { action: 'list' }),
  },
  {
    package: 'chrome-devtools-mcp',
    args: () => [
      '--headless',
      '--isolated',
      '--no-usage-statistics',
      '--no-performance-crux',
      '--executablePath',
      '/nonexistent/chrome',
    ],
    env: () => ({ CHROME_DEVTOOLS_MCP_NO_UPDATE_CHECKS: '1' }),
    call: tool('list_pages'),
  },
  {
    // Built on the v2 SDK.
    package: '@upstash/context7-mcp',
    env: (_workDir, api) => ({ CONTEXT7_API_URL: `${api}/api` }),
    api: () =>
      Response.json({
        results: [
          {
            id: '/honojs/hono',
            title: 'Hono',
            description: 'Web framework',
            totalSnippets: 3,
            trustScore: 9,
          },
        ],
      }),
    call: tool('resolve-library-id', { query: 'routing', libraryName: 'hono' }),
  },
  {
    // The low-level Server generating 24 tools from an OpenAPI document: large schemas with $ref.
    package: '@notionhq/notion-mcp-server',
    env: (_workDir, api) => ({ BASE_URL: api, NOTION_TOKEN: 'ntn_test' }),
    api: () =>
      Response.json({ object: 'user', id: '00000000-0000-0000-0000-000000000001', type: 'bot', name: 'bot' }),
    call: tool('API-get-self'),
  },
  {
    package: '@eslint/mcp',
    files: {
      'eslint.config.js': 'export default [{ rules: { "no-unused-vars": "error", semi: "error" } }];\n',
      'sample.js': 'const unused = 1\n',
    },
    call: tool('lint-files', { filePaths: ['sample.js'] }),
  },
  {
    // Prints a banner on stdout before it answers initialize, and more lines around every call.
    package: 'mcp-server-code-runner',
    call: tool('run-code', { code: 'console.log(6 * 7)', languageId: 'javascript' }),
  },
  {
    // Declares resources, answers resources/list and resources/templates/list with Method not found.
    // Its one tool reads the web: with no network, the same error both ways.
    package: 'nx-mcp',
    args: (workDir) => [workDir],
    call: tool('nx_docs', { userQuery: 'what is a project graph' }),
  },
  {
    // Prints on stdout before each answer of its `add` tool.
    package: 'mcp-hello-world',
    call: tool('add', { a: 2, b: 3 }),
  },
  {
    // Built on fastmcp.
    package: 'firecrawl-mcp',
    env: (_workDir, api) => ({ FIRECRAWL_API_URL: api, FIRECRAWL_API_KEY: 'fc-test' }),
    api: () =>
      Response.json({
        success: true,
        data: {
          markdown: '# A page\n',
          metadata: { title: 'A page', sourceURL: 'https://example.com/', statusCode: 200 },
        },
      }),
    call: tool('firecrawl_scrape', { url: 'https://example.com/', formats: ['markdown'] }),
  },
  {
    package: 'exa-mcp-server',
    call: { method: 'resources/read', params: { uri: 'exa://tools/list' } },
  },
]

interface Manifest {
  version: string
  bin: string | Record<string, string>
}

function manifestOf(server: PublishedServer): Manifest {
  return require(join(NODE_MODULES, server.package, 'package.json')) as Manifest
}

/** The command that runs a published server's entry script with Node, as `npx` would. */
export function commandOf(server: PublishedServer, workDir: string): string[] {
  const { bin } = manifestOf(server)
  const script = typeof bin === 'string' ? bin : (bin[server.bin ?? Object.keys(bin)[0] ?? ''] as string)
  return ['node', join(NODE_MODULES, server.package, script), ...(server.args?.(workDir) ?? [])]
}

/** Its environment: a home and temporary directory of its own, so nothing is written elsewhere. */
export function envOf(server: PublishedServer, workDir: string, api: string): Record<string, string> {
  return { HOME: workDir, TMPDIR: workDir, ...server.env?.(workDir, api) }
}

export async function prepareWorkDir(server: PublishedServer, workDir: string): Promise<void> {
  await mkdir(workDir, { recursive: true })
  for (const [name, text] of Object.entries(server.files ?? {})) await writeFile(join(workDir, name), text)
}

/** The version package.json pins, for test names and the README's list. */
export function versionOf(server: PublishedServer): string {
  return manifestOf(server).version
}
