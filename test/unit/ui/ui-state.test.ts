import { expect, test } from 'bun:test'
import type { UpstreamConfig } from '../../../src/config/resolve.ts'
import { describeTarget } from '../../../src/ui/ui-state.ts'

const DEFAULTS = {
  id: 'x',
  era: 'auto',
  timeoutMs: 1_000,
  shareProcess: false,
  withoutCredential: 'hide',
  listsPerIdentity: false,
} as const

const http = (url: string, headers?: Record<string, string>): UpstreamConfig => ({
  ...DEFAULTS,
  transport: 'streamable-http',
  url,
  ...(headers && { headers }),
})

test('an HTTP target keeps its origin and path, without credentials, query or token-like segments', () => {
  expect(describeTarget(http('https://user:pass@mcp.example.com/mcp?key=s3cret'))).toEqual({
    target: 'https://mcp.example.com/mcp?•••',
    secrets: [],
  })
  expect(describeTarget(http('https://actions.example.com/api/mcp/s/ZmFrZS1rZXktMTIzNDU2/mcp'))).toEqual({
    target: 'https://actions.example.com/api/mcp/s/•••/mcp',
    secrets: [],
  })
  expect(
    describeTarget(http('http://127.0.0.1:3001/mcp', { Authorization: 'Bearer t', 'X-Team': 'a' })).secrets,
  ).toEqual(['Authorization=•••', 'X-Team=•••'])
})

test('a stdio target shows its program only, and its environment names', () => {
  const config: UpstreamConfig = {
    ...DEFAULTS,
    transport: 'stdio',
    command: ['npx', '-y', 'srv', '--token', 't'],
    env: { KEY: 'v' },
  }
  expect(describeTarget(config)).toEqual({ target: 'npx •••', secrets: ['KEY=•••'] })
})
