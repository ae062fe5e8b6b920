#!/usr/bin/env bun
import { serveWithBun, spawnWithBun } from '../runtime/bun.ts'
import { main } from './command.ts'

await main(process.argv.slice(2), {
  spawn: spawnWithBun,
  serve: serveWithBun,
  importConfig: async (path) => (await import(path)).default,
})
