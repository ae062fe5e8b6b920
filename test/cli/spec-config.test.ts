import { afterAll, beforeAll, test } from 'bun:test'
import { join } from 'node:path'
import { runSpecConfig, startSpecUpstreams } from '../helpers/spec-config.ts'

let stopUpstreams: () => Promise<void>
beforeAll(async () => {
  stopUpstreams = await startSpecUpstreams()
})
afterAll(() => stopUpstreams())

test.each([
  ['the CLI from source (Bun)', [process.execPath, join(process.cwd(), 'src/cli/bun.ts')]],
  ['the npm entry under Node', ['node', join(process.cwd(), 'dist/cli.js')]],
])('the product description config, verbatim, runs under %s', (_name, entry) => runSpecConfig(entry), 60_000)
