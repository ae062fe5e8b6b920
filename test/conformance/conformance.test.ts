import { expect, test } from 'bun:test'

/** Runs a conformance leg (fixture directly, then through the proxy) and returns its summary line. */
async function runLeg(args: string[]): Promise<string> {
  const child = Bun.spawn([process.execPath, 'test/conformance/run.ts', ...args], {
    stdout: 'pipe',
    stderr: 'pipe',
  })
  const [stdout, stderr] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
  ])
  const code = await child.exited
  const summary = stdout.trim().split('\n').at(-1) ?? ''
  console.log(`[conformance ${args.join(' ') || '2025'}] ${summary}`)
  if (code !== 0) throw new Error(`conformance ${args.join(' ')} exited ${code}:\n${stdout}\n${stderr}`)
  return summary
}

test('every 2025-era conformance scenario that passes against our fixture passes through the proxy', async () => {
  expect(await runLeg([])).toMatch(/^\d+ passed, 0 failed$/)
}, 300_000)

test('every 2026-07-28 conformance scenario (0.2.0 alpha) that passes against our fixture passes through the proxy', async () => {
  expect(await runLeg(['--modern'])).toMatch(/^\d+ passed, 0 failed$/)
}, 300_000)
