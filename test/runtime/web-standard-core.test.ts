import { expect, test } from 'bun:test'
import { Glob } from 'bun'

/** Only the runtime adapters and the CLI may touch Bun or node:*, so the core runs on Workers and Deno. */
const EDGE = /^(runtime|cli)\//
const RUNTIME_API = /from ['"](bun|node:[a-z_/]+)['"]|\bBun\.[a-z]/

test('nothing outside src/runtime and src/cli imports bun or node:*', async () => {
  const offenders: string[] = []
  for await (const path of new Glob('**/*.ts').scan('src')) {
    if (EDGE.test(path)) continue
    if (RUNTIME_API.test(await Bun.file(`src/${path}`).text())) offenders.push(path)
  }
  expect(offenders).toEqual([])
})
