/**
 * The environment a stdio upstream starts with: the proxy's own, minus its secrets (PROXMCP_*),
 * plus what the upstream's config sets.
 */
export function childEnvironment(
  parent: Record<string, string | undefined>,
  extra: Record<string, string> | undefined,
): Record<string, string> {
  const env: Record<string, string> = {}
  for (const [name, value] of Object.entries(parent)) {
    if (value !== undefined && !name.startsWith('PROXMCP_')) env[name] = value
  }
  return { ...env, ...extra }
}
