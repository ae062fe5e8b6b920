/**
 * The package names a config file may import ProxMCP from. Each resolves to the whole public API
 * (the root `proxmcp` export), so a config written for the split packages works unchanged.
 */
export const PUBLIC_MODULE_NAMES = [
  '@proxmcp/core',
  '@proxmcp/plugin-auth',
  '@proxmcp/plugin-rate-limit',
  '@proxmcp/plugin-logger',
  '@proxmcp/plugin-tool-filter',
  '@proxmcp/plugin-redact',
  'proxmcp',
] as const
