#!/usr/bin/env bun
import * as publicApi from '../index.ts'
import { serveWithBun, spawnWithBun } from '../runtime/bun.ts'
import { main } from './command.ts'
import { PUBLIC_MODULE_NAMES } from './module-names.ts'

// Config files import from '@proxmcp/*': answer those imports with this build's own API, so they
// resolve from source, from the npm package and inside a compiled executable alike.
Bun.plugin({
  name: 'proxmcp-public-modules',
  setup(build) {
    for (const name of PUBLIC_MODULE_NAMES)
      build.module(name, () => ({ exports: publicApi, loader: 'object' }))
  },
})

await main(process.argv.slice(2), {
  spawn: spawnWithBun,
  serve: serveWithBun,
  // A fresh copy each time, so a reload sees the edited file.
  importConfig: async (path) => (await import(`${path}?load=${Date.now()}`)).default,
})
