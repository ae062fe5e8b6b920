import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FixtureEra } from '../fixtures/conformance-server.ts'
import { type StartedProcess, startServerProcess } from './processes.ts'

const ROOT = join(import.meta.dir, '../..')
const START_TIMEOUT_MS = 20_000
const LISTENING = /listening on (http:\/\/\S+\/mcp)/

/** Our conformance fixture on a free loopback port, serving both protocol eras or only one. */
export function startFixture(era: FixtureEra = 'both'): Promise<StartedProcess> {
  return startServerProcess({
    name: `conformance fixture (${era})`,
    cmd: [process.execPath, join(ROOT, 'test/fixtures/conformance-server.ts'), '--port', '0', '--era', era],
    ready: LISTENING,
    timeoutMs: START_TIMEOUT_MS,
  })
}

/** The Bun entry of the CLI under test; another checkout's can be measured the same way. */
export const DEFAULT_PROXY_CLI = join(ROOT, 'src/cli/bun.ts')

/**
 * ProxMCP's CLI in front of one upstream, on a free loopback port. It runs in an empty directory
 * so that no `proxmcp.config.*` lying around can change what is measured.
 */
export async function startProxy(upstreamUrl: string, cli = DEFAULT_PROXY_CLI): Promise<StartedProcess> {
  const cwd = await mkdtemp(join(tmpdir(), 'proxmcp-conformance-cwd-'))
  try {
    const proxy = await startServerProcess({
      name: 'ProxMCP',
      cmd: [process.execPath, cli, '--port', '0', '--upstream', upstreamUrl],
      cwd,
      ready: LISTENING,
      timeoutMs: START_TIMEOUT_MS,
    })
    return {
      ...proxy,
      stop: async () => {
        await proxy.stop()
        await rm(cwd, { recursive: true, force: true })
      },
    }
  } catch (error) {
    await rm(cwd, { recursive: true, force: true })
    throw error
  }
}
