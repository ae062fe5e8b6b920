import { globMatcher } from '../glob.ts'
import type { ProxMCPPlugin } from '../types.ts'

/**
 * Per-identity tool access as a `filterTools` hook, so lists and calls obey it alike (a hidden
 * tool is an unknown tool). Reads only `ctx.identity`: tool views are cached per identity.
 */
export function accessFilter(
  access: Record<string, readonly string[]>,
): NonNullable<ProxMCPPlugin['filterTools']> {
  const allowed = new Map(Object.entries(access).map(([identity, globs]) => [identity, globMatcher(globs)]))
  const others = allowed.get('*') ?? (() => false)
  return (tools, ctx) => {
    const matches = (ctx?.identity !== undefined && allowed.get(ctx.identity)) || others
    return tools.filter((tool) => matches(tool.name))
  }
}
