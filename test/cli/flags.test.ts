import { expect, test } from 'bun:test'
import { parseFlags, splitCommand, UsageError, uniqueIds } from '../../src/cli/flags.ts'

test('repeated --upstream and --stdio flags each add an upstream, with readable unique ids', () => {
  const options = parseFlags(
    [
      '--upstream',
      'http://localhost:3001/mcp',
      '--upstream',
      'http://127.0.0.1:3001/other',
      '--stdio',
      'node server.js --name "my app"',
    ],
    {},
  )
  expect(options.upstreams).toEqual([
    { id: 'localhost-3001', url: 'http://localhost:3001/mcp' },
    { id: 'localhost-3001-2', url: 'http://127.0.0.1:3001/other' },
    { id: 'stdio-1', command: ['node', 'server.js', '--name', 'my app'] },
  ])
})

test('--share-stdio makes every --stdio upstream one process for all sessions', () => {
  const options = parseFlags(['--stdio', 'node a.js', '--stdio', 'node b.js', '--share-stdio'], {})
  expect(options.upstreams).toEqual([
    { id: 'stdio-1', command: ['node', 'a.js'], shareProcess: true },
    { id: 'stdio-2', command: ['node', 'b.js'], shareProcess: true },
  ])
})

test('--port, --host, --log-format and --namespace become overrides; PORT is the fallback', () => {
  expect(
    parseFlags(['--port', '8080', '--host', '0.0.0.0', '--log-format', 'json', '--namespace'], {}).overrides,
  ).toEqual({
    port: 8080,
    host: '0.0.0.0',
    logFormat: 'json',
    namespace: true,
  })
  expect(parseFlags([], { PORT: '4000' }).overrides.port).toBe(4000)
})

test.each([
  [['--bogus'], "Unknown option '--bogus'"],
  [['--port', 'abc'], '--port abc: expected a whole number'],
  [['--port', '70000'], '--port 70000: expected a port up to 65535'],
  [['--log-format', 'xml'], '--log-format xml'],
  [['stray'], 'positional'],
  [['--server', 'files'], '--server files: expected name=upstreamId,upstreamId'],
  [
    ['--upstream', 'a=http://x/mcp', '--upstream', 'a=http://y/mcp'],
    "--upstream a=…: two upstreams are named 'a'",
  ],
  [['--server', 'files=a,,b'], '--server files=a,,b: expected name=upstreamId,upstreamId'],
])('%p is a usage error', (argv, message) => {
  expect(() => parseFlags(argv, {})).toThrow(UsageError)
  expect(() => parseFlags(argv, {})).toThrow(message)
})

test('--upstream id=URL names an upstream, and --server name=id,id makes a virtual server of named ones', () => {
  const options = parseFlags(
    [
      '--upstream',
      'files=http://localhost:3001/mcp',
      '--upstream',
      'http://localhost:3002/mcp?token=a=b',
      '--server',
      'coding=files,localhost-3002',
      '--server',
      'docs=files',
    ],
    {},
  )
  expect(options.upstreams).toEqual([
    { id: 'files', url: 'http://localhost:3001/mcp' },
    { id: 'localhost-3002', url: 'http://localhost:3002/mcp?token=a=b' },
  ])
  expect(options.namedIds).toEqual(['files'])
  expect(options.overrides.servers).toEqual({
    coding: { upstreams: ['files', 'localhost-3002'] },
    docs: { upstreams: ['files'] },
  })
})

test('an empty --stdio command is a usage error', () => {
  expect(() => splitCommand('   ')).toThrow('--stdio needs a command to run')
})

test('--api-key is repeatable and may list keys with commas; PROXMCP_API_KEY is the fallback', () => {
  expect(parseFlags(['--api-key', 'k1', '--api-key', 'k2, k3'], { PROXMCP_API_KEY: 'env' }).apiKeys).toEqual([
    'k1',
    'k2',
    'k3',
  ])
  expect(parseFlags([], { PROXMCP_API_KEY: 'e1,e2' }).apiKeys).toEqual(['e1', 'e2'])
  expect(parseFlags([], {}).apiKeys).toEqual([])
})

test('--rate-limit is a number of requests per minute', () => {
  expect(parseFlags(['--rate-limit', '60'], {}).rateLimit).toBe(60)
  expect(parseFlags([], {}).rateLimit).toBeUndefined()
})

test.each([
  [['--rate-limit', '0'], '--rate-limit 0: expected at least 1 request per minute'],
  [['--rate-limit', 'fast'], '--rate-limit fast: expected a whole number'],
  [['--api-key', 'k1,,k2'], '--api-key: a key is empty'],
])('%p is a usage error too', (argv, message) => {
  expect(() => parseFlags(argv, {})).toThrow(message)
})

test('ids made unique take the first free suffix, also past ids already taken', () => {
  const ids = uniqueIds(
    [{ id: 'github' }, { id: 'github' }, { id: 'github-2' }, { id: 'files' }].map((u) => ({
      ...u,
      url: 'http://x/mcp',
    })),
    ['files'],
  ).map((upstream) => upstream.id)
  expect(ids).toEqual(['github', 'github-2', 'github-2-2', 'files-2'])
})

test('--ui turns the status page on, with PROXMCP_UI_KEY as its admin key', () => {
  expect(parseFlags(['--ui'], {}).overrides.ui).toBe(true)
  expect(parseFlags(['--ui'], { PROXMCP_UI_KEY: 'k'.repeat(20) }).overrides.ui).toEqual({
    adminKey: 'k'.repeat(20),
  })
  expect(parseFlags([], { PROXMCP_UI_KEY: 'k'.repeat(20) }).overrides.ui).toBeUndefined()
})
