import { authPlugin } from '../plugins/auth/index.ts'
import { loggerPlugin } from '../plugins/logger/index.ts'
import { rateLimitPlugin, redisStore } from '../plugins/rate-limit/index.ts'
import type { ProxMCPPlugin } from '../plugins/types.ts'
import type { CliOptions } from './flags.ts'

/**
 * The plugins flags ask for, placed before the config file's: the IP rate limit first (so it
 * also limits failed key guesses), then API keys, then request logging in the console format,
 * which the CLI always does unless the config file brings its own logger plugin. In cluster mode
 * the rate limit is counted in the cluster's Redis, so it holds across replicas.
 */
export function cliPlugins(
  flags: Pick<CliOptions, 'apiKeys' | 'rateLimit'>,
  logFormat: 'pretty' | 'json',
  filePlugins: readonly unknown[],
  clusterRedis?: string,
): ProxMCPPlugin[] {
  const plugins: ProxMCPPlugin[] = []
  if (flags.rateLimit !== undefined) {
    const store = clusterRedis ? { store: redisStore({ url: clusterRedis }) } : {}
    plugins.push(rateLimitPlugin({ limit: flags.rateLimit, windowMs: 60_000, keyBy: 'ip', ...store }))
  }
  if (flags.apiKeys.length > 0) plugins.push(authPlugin({ mode: 'apikey', keys: flags.apiKeys }))
  const fileLogs = filePlugins.some((plugin) => (plugin as Partial<ProxMCPPlugin> | null)?.name === 'logger')
  if (!fileLogs) plugins.push(loggerPlugin({ format: logFormat }))
  return plugins
}
