import { ConfigError, type ResolvedConfig } from '../config/resolve.ts'
import type { Logger } from '../logger.ts'
import { unref } from '../unref.ts'
import type { ConnectClusterBus } from './cluster-bus.ts'
import { ClusterNode } from './cluster-node.ts'

const RETRY_FIRST_MS = 500
const RETRY_MAX_MS = 10_000
const JOIN_WAIT_MS = 3_000

export interface ClusterHandle {
  /** This replica's node once it has joined; undefined while Redis cannot be reached. */
  node(): ClusterNode | undefined
  /** Resolves once the node has joined (never rejects: joining is retried). */
  readonly joined: Promise<ClusterNode>
  /** The node, waiting for it a little while it joins (a replica that just started); undefined past that. */
  nodeSoon(): Promise<ClusterNode | undefined>
  /** How long an idle session's record is kept: the session idle timeout. */
  sessionTtlMs: number
  close(): Promise<void>
}

/**
 * Joins the cluster the config names, retrying with backoff while its Redis cannot be reached
 * (requests that need it get 503 meanwhile); undefined without `cluster`.
 */
export function startCluster(
  config: ResolvedConfig,
  logger: Logger,
  connect: ConnectClusterBus | undefined,
): ClusterHandle | undefined {
  const { cluster } = config
  if (!cluster) return undefined
  if (!connect) {
    throw new ConfigError([
      'cluster: this runtime cannot reach Redis (on Bun and Node, pass `clusterBus: connectRedisBus` to new ProxMCP)',
    ])
  }
  const sessionTtlMs = config.sessionIdleTimeoutMs
  let node: ClusterNode | undefined
  let closed = false
  let retry: ReturnType<typeof setTimeout> | undefined
  const joined = new Promise<ClusterNode>((resolve) => {
    const attempt = (delayMs: number) => {
      ClusterNode.start({ ...cluster, ttlMs: sessionTtlMs }, connect).then(
        (started) => {
          if (closed) return void started.close()
          node = started
          logger.info(`cluster: replica ${started.tag} joined, sessions shared through Redis`)
          resolve(started)
        },
        (error) => {
          if (closed) return
          if (delayMs === RETRY_FIRST_MS) {
            logger.error(`cluster: Redis cannot be reached, retrying: ${(error as Error).message}`)
          }
          retry = unref(setTimeout(() => attempt(Math.min(delayMs * 2, RETRY_MAX_MS)), delayMs))
        },
      )
    }
    attempt(RETRY_FIRST_MS)
  })
  return {
    node: () => node,
    joined,
    nodeSoon: () =>
      node
        ? Promise.resolve(node)
        : Promise.race([
            joined,
            new Promise<undefined>((resolve) => unref(setTimeout(resolve, JOIN_WAIT_MS))),
          ]),
    sessionTtlMs,
    close: async () => {
      closed = true
      clearTimeout(retry)
      await node?.close()
    },
  }
}
