import type { ProxMCPPlugin, ProxMCPTool } from './types.ts'

/** The plugins' filterTools hooks applied in plugin order, or undefined when none has one. */
export function composeToolFilters(
  plugins: ProxMCPPlugin[],
): ((tools: ProxMCPTool[]) => ProxMCPTool[]) | undefined {
  const filters = plugins.flatMap((plugin) => (plugin.filterTools ? [plugin.filterTools.bind(plugin)] : []))
  if (filters.length === 0) return undefined
  return (tools) => filters.reduce((current, filter) => filter(current), tools)
}
