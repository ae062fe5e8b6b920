#!/usr/bin/env node
import { pathToFileURL } from 'node:url'
import { serveWithNode, spawnWithNode } from '../runtime/node.ts'
import { main } from './command.ts'

await main(process.argv.slice(2), {
  spawn: spawnWithNode,
  serve: serveWithNode,
  importConfig: async (path) => (await import(pathToFileURL(path).href)).default,
})
