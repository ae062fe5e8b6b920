import { afterAll, beforeAll, test } from 'bun:test'
import { join } from 'node:path'
import {
  expectSpecBehaviour,
  SPEC_API_KEY,
  SPEC_CONFIG_DIR,
  startSpecUpstreams,
} from '../helpers/spec-config.ts'
import { freePort, waitForHealthz } from '../helpers/wait.ts'

let stopUpstreams: () => Promise<void>
beforeAll(async () => {
  stopUpstreams = await startSpecUpstreams()
})
afterAll(() => stopUpstreams())

test.each([
  ['the CLI from source (Bun)', [process.execPath, join(process.cwd(), 'src/cli/bun.ts')]],
  ['the npm entry under Node', ['node', join(process.cwd(), 'dist/cli.js')]],
])(
  'the product description config, verbatim, runs under %s',
  async (_name, entry) => {
    const port = freePort()
    const child = Bun.spawn([...entry, '--port', String(port)], {
      cwd: SPEC_CONFIG_DIR,
      env: { ...process.env, PROXMCP_API_KEY: SPEC_API_KEY },
      stdout: 'ignore',
      stderr: 'ignore',
    })
    try {
      await waitForHealthz(port)
      await expectSpecBehaviour(`http://127.0.0.1:${port}/mcp`)
    } finally {
      child.kill('SIGTERM')
      await child.exited
    }
  },
  60_000,
)
