import { isSpecType, type ServerCapabilities } from '@modelcontextprotocol/client'
import type { JsonObject, UpstreamLink } from './link.ts'

export type CatalogKind = 'tools' | 'resources' | 'resourceTemplates' | 'prompts'

/** Everything an upstream lists, as it listed it (every field kept). */
export type UpstreamCatalog = Record<CatalogKind, JsonObject[]>

export const LISTS: Record<CatalogKind, { method: string; capability: keyof ServerCapabilities }> = {
  tools: { method: 'tools/list', capability: 'tools' },
  resources: { method: 'resources/list', capability: 'resources' },
  resourceTemplates: { method: 'resources/templates/list', capability: 'resources' },
  prompts: { method: 'prompts/list', capability: 'prompts' },
}

const LIST_CHANGED: Record<string, CatalogKind[]> = {
  'notifications/tools/list_changed': ['tools'],
  'notifications/resources/list_changed': ['resources', 'resourceTemplates'],
  'notifications/prompts/list_changed': ['prompts'],
}

/**
 * What clients accept, checked with the SDK's own schemas: clients validate a list as a whole, so
 * one malformed entry relayed would fail the merged list of every upstream.
 */
const WELL_FORMED: Record<CatalogKind, (value: unknown) => boolean> = {
  tools: isSpecType.Tool,
  resources: isSpecType.Resource,
  resourceTemplates: isSpecType.ResourceTemplate,
  prompts: isSpecType.Prompt,
}

/** Told about every part of a list answer that was left out, to say so in the log. */
export type OnDropped = (method: string, what: string) => void

/** A guard against an upstream whose cursors never end. */
const MAX_PAGES = 1_000

export const ALL_KINDS: CatalogKind[] = ['tools', 'resources', 'resourceTemplates', 'prompts']

/** Asks a 2026-07-28 upstream for its list changes (`subscriptions/listen`); `onRefused` hears why it offers none. */
export async function listenForListChanges(
  link: UpstreamLink,
  onRefused: (error: unknown) => void,
): Promise<void> {
  try {
    await link.client.listen({ toolsListChanged: true, resourcesListChanged: true, promptsListChanged: true })
  } catch (error) {
    onRefused(error)
  }
}

export function emptyCatalog(): UpstreamCatalog {
  return { tools: [], resources: [], resourceTemplates: [], prompts: [] }
}

export function kindOfListChanged(method: string): CatalogKind[] | undefined {
  return LIST_CHANGED[method]
}

/** Reads one list to its end, following the upstream's pagination cursors. */
export async function listAll(
  link: UpstreamLink,
  method: string,
  field: CatalogKind,
  onDropped: OnDropped,
): Promise<JsonObject[]> {
  const items: JsonObject[] = []
  let cursor: string | undefined
  for (let page = 0; page < MAX_PAGES; page++) {
    const result = await link.request(method, cursor === undefined ? {} : { cursor })
    const listed = result[field] ?? []
    if (!Array.isArray(listed)) onDropped(method, `"${field}" is not a list: ${preview(listed)}`)
    else {
      for (const item of listed) {
        if (WELL_FORMED[field](item)) items.push(item as JsonObject)
        else onDropped(method, `an entry that is not a valid ${field.replace(/s$/, '')}: ${preview(item)}`)
      }
    }
    cursor = typeof result.nextCursor === 'string' && result.nextCursor !== '' ? result.nextCursor : undefined
    if (cursor === undefined) return items
  }
  throw new Error(`${method} did not end after ${MAX_PAGES} pages`)
}

function preview(value: unknown): string {
  return (JSON.stringify(value) ?? String(value)).slice(0, 120)
}
