export type { ClusterBus, ConnectClusterBus } from './cluster/cluster-bus.ts'
export { connectRedisBus } from './cluster/redis-bus.ts'
export { defineConfig } from './config/define-config.ts'
export { importMcpServers } from './config/import-mcp-servers.ts'
export { fromMcpServers, type McpServersOptions } from './config/mcp-servers.ts'
export {
  ConfigError,
  type ResolvedConfig,
  type UpstreamConfig,
  type UpstreamTransport,
} from './config/resolve.ts'
export type { ProxyConfigInput as ProxMCPConfig, UpstreamInput as ProxMCPUpstream } from './config/schema.ts'
export { ProxyError, ProxyErrorCode } from './errors.ts'
export type { Logger } from './logger.ts'
export {
  type ApiKeyAuthOptions,
  AUTH_SCOPES_STATE,
  type AuthOptions,
  authPlugin,
  type JwtAuthOptions,
} from './plugins/auth/index.ts'
export { type LoggerOptions, loggerPlugin, type RequestLogEntry } from './plugins/logger/index.ts'
export {
  type MemoryStoreOptions,
  memoryStore,
  type RateLimitHit,
  type RateLimitOptions,
  type RateLimitRule,
  type RateLimitStore,
  type RedisRateLimitStore,
  type RedisStoreOptions,
  rateLimitPlugin,
  redisStore,
} from './plugins/rate-limit/index.ts'
export { type RedactOptions, redactPlugin } from './plugins/redact/index.ts'
export { sanitizeText, type ToolFilterOptions, toolFilterPlugin } from './plugins/tool-filter/index.ts'
export type { ProxMCPContext, ProxMCPPlugin, ProxMCPResult, ProxMCPTool } from './plugins/types.ts'
export { ProxMCP, type ProxMCPOptions } from './proxy.ts'
export type { ProxMCPStatus, UpstreamStatus } from './status.ts'
