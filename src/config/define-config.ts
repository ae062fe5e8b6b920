import type { ProxMCPPlugin } from '../plugins/types.ts'
import type { ProxyConfigInput } from './schema.ts'

/** A config file's shape: everything `ProxMCP` takes, with plugins typed. */
export type ProxMCPConfigFile = Omit<ProxyConfigInput, 'plugins'> & { plugins?: ProxMCPPlugin[] }

/**
 * Types a `proxmcp.config.ts`; returns the config unchanged.
 *
 * @example
 * ```ts
 * import { defineConfig } from '@proxmcp/core'
 *
 * export default defineConfig({
 *   port: 3000,
 *   upstreams: [{ id: 'files', url: 'http://localhost:3001/mcp' }],
 * })
 * ```
 */
export function defineConfig(config: ProxMCPConfigFile): ProxMCPConfigFile {
  return config
}
