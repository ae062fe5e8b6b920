import { expect } from 'bun:test'
import { connectClient } from '../helpers/clients.ts'
import { stdioFixture } from '../helpers/stdio-fixture.ts'
import { freePort } from '../helpers/wait.ts'

export interface RunningCli {
  url: string
  /** Milliseconds from spawn to the first 200 from /healthz. */
  startupMs: number
  /** SIGTERM, then checks that the CLI and its stdio upstream are gone; returns the exit code. */
  stop(): Promise<number | null>
}

/** Expects the running CLI at `url` to list the tool of the stdio fixture named `marker`. */
export async function expectServesFixture(url: string, marker: string): Promise<void> {
  const client = await connectClient(url)
  const { tools } = await client.listTools()
  expect(tools.map((tool) => tool.name)).toContain(`${marker}_only`)
  await client.close()
}

/**
 * Starts a ProxMCP command line (an executable, or a runtime and a script) on a free loopback
 * port and waits for /healthz. Its upstream is the v1 fixture named `marker` over stdio, passed
 * with --stdio unless `args` says otherwise; `marker` also finds the processes left afterwards.
 */
export async function startCli(
  command: string[],
  options: { marker: string; cwd?: string; args?: string[] },
): Promise<RunningCli> {
  const port = freePort()
  const { marker, cwd } = options
  const args = options.args ?? [
    '--stdio',
    stdioFixture(marker)
      .map((part) => `"${part}"`)
      .join(' '),
  ]
  const started = performance.now()
  const child = Bun.spawn([...command, '--port', String(port), ...args], {
    cwd,
    stdout: 'pipe',
    stderr: 'pipe',
  })
  // Drained in the background so a chatty child never blocks on a full pipe.
  const output = Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text()])
  const stop = async () => {
    child.kill('SIGTERM')
    const code = await Promise.race([child.exited, Bun.sleep(10_000).then(() => 'timeout' as const)])
    if (code === 'timeout') child.kill('SIGKILL')
    await expectGone(marker)
    return code === 'timeout' ? null : code
  }
  const deadline = started + 20_000
  for (;;) {
    const healthy = await fetch(`http://127.0.0.1:${port}/healthz`).then(
      (response) => response.status === 200,
      () => false,
    )
    if (healthy) break
    if (child.exitCode !== null || performance.now() > deadline) {
      await stop()
      throw new Error(`${command.join(' ')} did not serve /healthz:\n${(await output).join('\n')}`)
    }
    await Bun.sleep(5)
  }
  return { url: `http://127.0.0.1:${port}/mcp`, startupMs: performance.now() - started, stop }
}

/** Waits up to 5 s for processes whose command line has `marker` to end; kills and throws if any stay. */
export async function expectGone(marker: string): Promise<void> {
  const deadline = Date.now() + 5_000
  let left = await processesWith(marker)
  while (left.length > 0 && Date.now() < deadline) {
    await Bun.sleep(50)
    left = await processesWith(marker)
  }
  if (left.length === 0) return
  for (const pid of left) process.kill(pid, 'SIGKILL')
  throw new Error(`left running: ${left.join(', ')} (${marker})`)
}

async function processesWith(marker: string): Promise<number[]> {
  const ps = Bun.spawn(['ps', '-eo', 'pid=,args='], { stdout: 'pipe' })
  const lines = (await new Response(ps.stdout).text()).split('\n')
  return lines.filter((line) => line.includes(marker)).map((line) => Number.parseInt(line.trim(), 10))
}
