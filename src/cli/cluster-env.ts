import type { ProxyConfigInput } from '../config/schema.ts'

/**
 * Cluster mode from `PROXMCP_CLUSTER_REDIS` and `PROXMCP_CLUSTER_SECRET`, each taking the place
 * of its key in the config's `cluster` (a secret is better kept in the environment than in a file).
 */
export function clusterFromEnv(
  env: Record<string, string | undefined>,
  file: ProxyConfigInput['cluster'],
): ProxyConfigInput['cluster'] {
  const redis = env.PROXMCP_CLUSTER_REDIS || file?.redis
  const secret = env.PROXMCP_CLUSTER_SECRET || file?.secret
  if (redis === undefined && secret === undefined) return undefined
  // Half a setting is left for config validation to name what is missing.
  return { ...file, redis, secret } as ProxyConfigInput['cluster']
}
