import type { ToolFilter } from '../aggregate/tool-views.ts'
import { globMatcher } from '../plugins/glob.ts'
import { toolFilterPlugin } from '../plugins/tool-filter/tool-filter-plugin.ts'
import type { ProxMCPTool } from '../plugins/types.ts'

export interface ServerRules {
  tools?: {
    allow?: string[]
    deny?: string[]
    rename?: Record<string, string>
    descriptions?: Record<string, string>
  }
  /** Identity glob → tool globs, first match wins; an identity no glob matches may not use the server. */
  access?: Record<string, string[]>
}

/** Who may use a server, and the tools each may see there. */
export interface CompiledRules {
  /** False: the identity gets 403 on this server. */
  admits(identity: string | undefined): boolean
  /** The server's own tool rules, applied after the plugins' `filterTools`. */
  filter: ToolFilter
}

export function compileRules({ tools, access }: ServerRules): CompiledRules {
  const shape = tools ? toolFilterPlugin(tools).filterTools : undefined
  const grants = Object.entries(access ?? {}).map(([identity, globs]) => ({
    matches: globMatcher([identity]),
    tools: globMatcher(globs),
  }))
  // Anonymous clients (no auth plugin) are matched as '' and so only by '*'.
  const grantOf = (identity: string | undefined) => grants.find((grant) => grant.matches(identity ?? ''))
  return {
    admits: (identity) => !access || grantOf(identity) !== undefined,
    filter: (tools: ProxMCPTool[], ctx) => {
      const shaped = shape ? shape(tools, ctx) : tools
      if (!access) return shaped
      const grant = grantOf(ctx?.identity)
      return grant ? shaped.filter((tool) => grant.tools(tool.name)) : []
    },
  }
}
