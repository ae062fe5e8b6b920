import { ConfigError, type ResolvedConfig } from '../config/resolve.ts'
import type { Logger } from '../logger.ts'
import type { ConnectClusterBus } from './cluster-bus.ts'
import { ClusterNode } from './cluster-node.ts'

export interface ClusterHandle {
  node: Promise<ClusterNode>
  /** How long an idle session's record is kept: the session idle timeout. */
  sessionTtlMs: number
  close(): Promise<void>
}

/** Joins the cluster the config names (connecting to its Redis now); undefined without `cluster`. */
export function startCluster(
  config: ResolvedConfig,
  logger: Logger,
  connect: ConnectClusterBus | undefined,
): ClusterHandle | undefined {
  if (!config.cluster) return undefined
  if (!connect) {
    throw new ConfigError([
      'cluster: this runtime cannot reach Redis (on Bun and Node, pass `clusterBus: connectRedisBus` to new ProxMCP)',
    ])
  }
  const sessionTtlMs = config.sessionIdleTimeoutMs
  const node = ClusterNode.start({ ...config.cluster, ttlMs: sessionTtlMs }, connect)
  node.then(
    (joined) => logger.info(`cluster: replica ${joined.tag} joined, sessions shared through Redis`),
    (error) =>
      logger.error(`cluster: Redis cannot be reached, so sessions fail: ${(error as Error).message}`),
  )
  return {
    node,
    sessionTtlMs,
    close: async () => (await node.catch(() => undefined))?.close(),
  }
}
