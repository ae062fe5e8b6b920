// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are the ${…} references MCP client files hold
import { expect, test } from 'bun:test'
import { fromMcpServers } from '../../../src/config/mcp-servers.ts'
import { ConfigError } from '../../../src/config/resolve.ts'

function problems(json: unknown, env: Record<string, string> = {}): string[] {
  try {
    fromMcpServers(json, { env, source: 'mcp.json' })
  } catch (error) {
    if (error instanceof ConfigError) return error.issues
    throw error
  }
  return []
}

test('command, args, env and cwd make a stdio upstream; url and headers an HTTP one', () => {
  const warnings: string[] = []
  const upstreams = fromMcpServers(
    {
      mcpServers: {
        files: { command: 'npx', args: ['-y', 'server-files', '/tmp'], env: { LEVEL: 'debug' }, cwd: '/srv' },
        remote: { url: 'https://mcp.example/mcp', headers: { 'X-Team': 'core' }, timeout: 30 },
        events: { type: 'sse', url: 'https://mcp.example/events' },
        off: { command: 'node', disabled: true },
      },
    },
    { warn: (message) => warnings.push(message) },
  )
  expect(upstreams).toEqual([
    { id: 'files', command: ['npx', '-y', 'server-files', '/tmp'], env: { LEVEL: 'debug' }, cwd: '/srv' },
    { id: 'remote', url: 'https://mcp.example/mcp', headers: { 'X-Team': 'core' } },
    { id: 'events', url: 'https://mcp.example/events', transport: 'sse' },
  ])
  expect(warnings).toEqual(['mcpServers.remote.timeout is not used by ProxMCP'])
})

test("VS Code's servers, Windsurf's serverUrl and Gemini CLI's httpUrl are read too", () => {
  expect(fromMcpServers({ servers: { a: { type: 'http', url: 'https://a.example/mcp' } } })).toEqual([
    { id: 'a', url: 'https://a.example/mcp', transport: 'streamable-http' },
  ])
  expect(
    fromMcpServers({
      mcpServers: { b: { serverUrl: 'https://b.example/mcp' }, c: { httpUrl: 'https://c.example/mcp' } },
    }),
  ).toEqual([
    { id: 'b', url: 'https://b.example/mcp' },
    { id: 'c', url: 'https://c.example/mcp' },
  ])
})

test('references are resolved from the environment, with defaults, the home and the workspace', () => {
  const [upstream] = fromMcpServers(
    {
      mcpServers: {
        db: {
          command: '${DB_BIN:-npx}',
          args: ['${workspaceFolder}/db.js', '--token', '${env:TOKEN}', '${userHome}${pathSeparator}data'],
          env: { URL: 'postgres://${DB_HOST}/app' },
        },
      },
    },
    { env: { TOKEN: 't0k', DB_HOST: 'db.internal' }, home: '/home/me', workspace: '/repo' },
  )
  expect(upstream).toEqual({
    id: 'db',
    command: ['npx', '/repo/db.js', '--token', 't0k', '/home/me/data'],
    env: { URL: 'postgres://db.internal/app' },
  })
})

test('keys become valid, unique ids', () => {
  const ids = fromMcpServers({
    mcpServers: {
      'Brave Search': { command: 'a' },
      'Brave+Search': { command: 'b' },
      '@scope/x': { command: 'c' },
    },
  }).map((upstream) => upstream.id)
  expect(ids).toEqual(['Brave-Search', 'Brave-Search-2', 'scope-x'])
})

test('every problem is named by file and path', () => {
  expect(
    problems({
      mcpServers: {
        github: { command: 5 },
        web: { url: 'https://w.example/mcp', headers: { Authorization: 42 } },
        empty: {},
        odd: { type: 'websocket', url: 'ws://x' },
        lonely: { type: 'stdio', url: 'https://x.example' },
        notObject: 'npx server',
      },
    }),
  ).toEqual([
    'mcp.json: mcpServers.github.command: expected a string',
    'mcp.json: mcpServers.web.headers.Authorization: expected a string',
    'mcp.json: mcpServers.empty: expected "command" or "url"',
    'mcp.json: mcpServers.odd: type "websocket" is not one of stdio, http, streamable-http, sse',
    'mcp.json: mcpServers.lonely: a stdio server needs "command"',
    'mcp.json: mcpServers.notObject: expected an object',
  ])
})

test('a reference that cannot be resolved is an error naming it, not an empty string', () => {
  expect(
    problems({
      servers: {
        a: { command: 'run', args: ['${env:MISSING}'] },
        b: { url: 'https://b.example/mcp', headers: { Authorization: 'Bearer ${input:token}' } },
        c: { command: '${command:pickFile}' },
      },
    }),
  ).toEqual([
    'mcp.json: servers.a.args[0]: ${env:MISSING} names a variable that is not set',
    'mcp.json: servers.b.headers.Authorization: ${input:token} asks the user for a value, which ProxMCP cannot do: use ${env:NAME} instead',
    'mcp.json: servers.c.command: ${command:pickFile} is not a reference ProxMCP knows',
  ])
})

test('a file with no servers object says what it expected', () => {
  expect(problems({ servers: [] })).toEqual([
    'mcp.json: expected an "mcpServers" (or VS Code "servers") object',
  ])
  expect(problems('text')).toEqual(['mcp.json: expected an "mcpServers" (or VS Code "servers") object'])
})

test('a reference reads only the variables given, never what every object inherits; :- also covers empty', () => {
  expect(
    problems({ mcpServers: { a: { command: 'run', args: ['${constructor}', '${env:toString}'] } } }),
  ).toEqual([
    'mcp.json: mcpServers.a.args[0]: ${constructor} names a variable that is not set',
    'mcp.json: mcpServers.a.args[1]: ${env:toString} names a variable that is not set',
  ])
  const [upstream] = fromMcpServers(
    { mcpServers: { a: { command: '${EMPTY:-fallback}', args: ['${EMPTY}'] } } },
    { env: { EMPTY: '' } },
  )
  expect(upstream).toEqual({ id: 'a', command: ['fallback', ''] })
})
