import { stopGroup } from './processes.ts'

export interface BoundedRun {
  code: number | null
  output: string
  timedOut: boolean
}

/** Runs a command to its end, or ends its whole process group after `timeoutMs`. */
export async function runBounded(
  cmd: string[],
  options: { timeoutMs: number; cwd?: string },
): Promise<BoundedRun> {
  const child = Bun.spawn({
    cmd,
    cwd: options.cwd,
    stdin: 'ignore',
    stdout: 'pipe',
    stderr: 'pipe',
    detached: true,
  })
  const output = Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text()])
  let timedOut = false
  const timer = setTimeout(() => {
    timedOut = true
    void stopGroup(child)
  }, options.timeoutMs)
  try {
    const code = await child.exited
    const [stdout, stderr] = await output
    return { code, output: stdout + stderr, timedOut }
  } finally {
    clearTimeout(timer)
  }
}
