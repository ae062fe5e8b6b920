import { resolve } from 'node:path'

const FIXTURE = resolve(import.meta.dir, '../fixtures/v1-server.ts')

/** The v1 fixture as a stdio upstream command, named so its processes can be found. */
export function stdioFixture(name: string): string[] {
  return [process.execPath, FIXTURE, '--name', name]
}

/** Pids of every process running the stdio fixture under this name. */
export function fixturePids(name: string): number[] {
  const found = Bun.spawnSync(['pgrep', '-f', `v1-server.ts --name ${name}`])
    .stdout.toString()
    .trim()
  return found ? found.split('\n').map(Number) : []
}
