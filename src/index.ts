export { defineConfig } from './config/define-config.ts'
export {
  ConfigError,
  type ResolvedConfig,
  type UpstreamConfig,
  type UpstreamTransport,
} from './config/resolve.ts'
export type { ProxyConfigInput as ProxMCPConfig, UpstreamInput as ProxMCPUpstream } from './config/schema.ts'
export { ProxyError, ProxyErrorCode } from './errors.ts'
export type { Logger } from './logger.ts'
export type { ProxMCPContext, ProxMCPPlugin, ProxMCPTool } from './plugins/types.ts'
export { ProxMCP, type ProxMCPOptions } from './proxy.ts'
