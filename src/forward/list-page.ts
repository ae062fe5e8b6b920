import { paginate } from '../aggregate/paginate.ts'
import type { ProxMCPContext } from '../plugins/types.ts'
import type { ProxyCore } from './scope.ts'

export type ListField = 'tools' | 'prompts' | 'resources' | 'resourceTemplates'

/** The list methods the proxy answers from its merged catalog, and the field each result carries. */
export const LIST_FIELDS = new Map<unknown, ListField>([
  ['tools/list', 'tools'],
  ['prompts/list', 'prompts'],
  ['resources/list', 'resources'],
  ['resources/templates/list', 'resourceTemplates'],
])

/** One page of a merged list as a list result; tools as this client may see them. */
export function listPage(
  core: ProxyCore,
  field: ListField,
  cursor: unknown,
  ctx: ProxMCPContext | undefined,
): Record<string, unknown> {
  const items = field === 'tools' ? core.catalog.toolsFor(ctx) : core.catalog[field]
  const { page, nextCursor } = paginate(items, cursor, core.pageSize)
  return { [field]: page, ...(nextCursor && { nextCursor }) }
}
