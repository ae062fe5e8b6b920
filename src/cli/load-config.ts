import { existsSync, readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { UsageError } from './flags.ts'

const CONFIG_NAMES = ['proxmcp.config.ts', 'proxmcp.config.mjs', 'proxmcp.config.js', 'proxmcp.config.json']

/** The config file to load: the one named by --config, else proxmcp.config.* in the current directory. */
export function findConfigFile(explicit: string | undefined, cwd: string): string | undefined {
  if (explicit) {
    const path = resolve(cwd, explicit)
    if (!existsSync(path)) throw new UsageError(`--config ${explicit}: no such file`)
    return path
  }
  return CONFIG_NAMES.map((name) => resolve(cwd, name)).find((path) => existsSync(path))
}

/** Reads a config file: JSON directly, modules through the runtime's importer (their default export). */
export async function loadConfigFile(
  path: string,
  importConfig: (path: string) => Promise<unknown>,
): Promise<unknown> {
  if (path.endsWith('.json')) {
    try {
      return JSON.parse(readFileSync(path, 'utf8'))
    } catch (error) {
      throw new UsageError(`${path}: ${(error as Error).message}`)
    }
  }
  try {
    return await importConfig(path)
  } catch (error) {
    throw new UsageError(`${path} could not be loaded: ${(error as Error).message.split('\n')[0]}`)
  }
}
