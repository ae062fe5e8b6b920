#!/usr/bin/env node
import { fileURLToPath } from 'node:url'
import { createJiti } from 'jiti'
import { serveWithNode, spawnWithNode } from '../runtime/node.ts'
import { main } from './command.ts'
import { PUBLIC_MODULE_NAMES } from './module-names.ts'

// The npm package ships the public API beside this file (dist/index.js); config files that
// import '@proxmcp/*' get it, and jiti lets them be TypeScript.
const publicApi = fileURLToPath(new URL('./index.js', import.meta.url))
const jiti = createJiti(import.meta.url, {
  alias: Object.fromEntries(PUBLIC_MODULE_NAMES.map((name) => [name, publicApi])),
  interopDefault: true,
  // A fresh copy each time, so a reload sees the edited file.
  moduleCache: false,
})

await main(process.argv.slice(2), {
  spawn: spawnWithNode,
  serve: serveWithNode,
  importConfig: (path) => jiti.import(path, { default: true }),
})
