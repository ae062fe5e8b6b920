import { expect, test } from 'bun:test'
import { parseFlags, splitCommand, UsageError } from '../../src/cli/flags.ts'

test('repeated --upstream and --stdio flags each add an upstream, with readable unique ids', () => {
  const options = parseFlags(
    [
      '--upstream',
      'http://localhost:3001/mcp',
      '--upstream',
      'http://localhost:3001/other',
      '--stdio',
      'node server.js --name "my app"',
    ],
    {},
  )
  expect(options.upstreams).toEqual([
    { id: 'localhost-3001', url: 'http://localhost:3001/mcp' },
    { id: 'localhost-3001-2', url: 'http://localhost:3001/other' },
    { id: 'stdio-1', command: ['node', 'server.js', '--name', 'my app'] },
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
])('%p is a usage error', (argv, message) => {
  expect(() => parseFlags(argv, {})).toThrow(UsageError)
  expect(() => parseFlags(argv, {})).toThrow(message)
})

test('an empty --stdio command is a usage error', () => {
  expect(() => splitCommand('   ')).toThrow('--stdio needs a command to run')
})
