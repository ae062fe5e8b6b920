import MiniSearch, { type Query } from 'minisearch'
import { stemmer } from 'stemmer'
import type { JsonObject } from '../upstream/link.ts'
import { SYNONYM_GROUPS } from './tool-synonyms.ts'

interface Indexed {
  id: number
  name: string
  title: string
  /** The description's first sentence: what the tool does, before the details. */
  summary: string
  description: string
  params: string
}

const STOP_WORDS = new Set(
  'a an and are as at be by can do for from how i in is it me my of on or please some that the this to use want we what which with you your'.split(
    ' ',
  ),
)

/** Words written the way tool authors do (`list_directory`, `getFileInfo`) become words. */
function words(text: string): string[] {
  return text
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean)
}

/** Lower case, no stop words, Porter-stemmed, so `files` finds `file` and `listing` finds `list`. */
function term(word: string): string | null {
  const lower = word.toLowerCase()
  return STOP_WORDS.has(lower) ? null : stemmer(lower)
}

/** Each stem's synonyms, stemmed: a query term is expanded to them (see `find`). */
const SYNONYMS = new Map<string, string[]>()
for (const group of SYNONYM_GROUPS) {
  const stems = group.map((word) => stemmer(word))
  for (const stem of stems) SYNONYMS.set(stem, [...new Set([...(SYNONYMS.get(stem) ?? [stem]), ...stems])])
}

function firstSentence(text: string): string {
  return /^[\s\S]*?[.!?\n](?=\s|$)/.exec(text.trim())?.[0] ?? text
}

/** What a tool says about its parameters: their names and descriptions, nested ones included. */
function paramText(schema: unknown, depth = 0): string {
  const properties = (schema as { properties?: Record<string, unknown> } | undefined)?.properties
  if (!properties || typeof properties !== 'object' || depth > 3) return ''
  return Object.entries(properties)
    .map(([name, property]) => {
      const description = (property as { description?: unknown } | undefined)?.description
      return `${name} ${typeof description === 'string' ? description : ''} ${paramText(property, depth + 1)}`
    })
    .join(' ')
}

/** What one caller may find: the tools of its view, as the view has them. */
export interface ScopedSearch {
  /** The best matches for a query, best first. */
  find(query: string, limit: number): JsonObject[]
}

/** A word the query did not have (a synonym of one it had, or a hint) counts this much as one it had. */
const EXPANSION_WEIGHT = 0.5

const URL_LIKE = /\b(?:https?:\/\/|www\.)\S+/i
const FILE_LIKE =
  /\w\.(?:md|txt|json|jsonc|ya?ml|toml|ini|env|csv|tsv|log|xml|html?|css|[cm]?[jt]sx?|py|rb|go|rs|java|kt|c|h|cpp|cs|php|sh|sql|pdf|docx?|xlsx?|pptx?|png|jpe?g|gif|webp|svg|mp[34]|wav|zip|tar|gz)\b/i

/** What the query names without saying it: a URL is a URL, `notes.md` a file. */
function hintOf(query: string): string | undefined {
  if (URL_LIKE.test(query)) return 'url'
  if (FILE_LIKE.test(query)) return 'file'
  return undefined
}

/** Where a synonym is looked for: what a tool is, not every word of its details. */
const EXPANSION_FIELDS = ['name', 'title', 'summary']

const asIs = (stem: string) => stem
/** Stems are joined with spaces to make a query: split there only (a stem may not be a `words` word). */
const bySpace = (stems: string) => stems.split(' ')

/**
 * The words of a query, stemmed, looked for in every field; their synonyms, and what the query
 * names without saying it, at half weight and only in what a tool is (name, title, first sentence).
 */
function toolQuery(text: string): Query {
  const typed = [...new Set(words(text).map(term))].filter((stem) => stem !== null)
  const expansions = new Set(typed.flatMap((stem) => SYNONYMS.get(stem) ?? []))
  for (const stem of typed) expansions.delete(stem)
  const hint = hintOf(text)
  if (hint && !typed.includes(hint)) expansions.add(hint)
  return {
    combineWith: 'OR',
    queries: [
      { queries: [typed.join(' ')], tokenize: bySpace, processTerm: asIs },
      {
        queries: [[...expansions].join(' ')],
        tokenize: bySpace,
        processTerm: asIs,
        fields: EXPANSION_FIELDS,
        boostTerm: () => EXPANSION_WEIGHT,
      },
    ],
  }
}

/** Documents indexed per turn of the event loop: a large catalog is indexed without stalling other requests. */
const CHUNK = 200

/**
 * BM25 ranking (MiniSearch) of tools over their names, titles, descriptions and parameters, one
 * index per catalog for every caller: each tool text is indexed once however many views list it,
 * and a search keeps the hits in its caller's view, so it finds only what that caller may call.
 * Term statistics are the index's, so a tool text only some views list can change the order of
 * another view's hits, never which tools it finds.
 */
export class ToolIndex {
  private readonly search = new MiniSearch<Indexed>({
    fields: ['name', 'title', 'summary', 'description', 'params'],
    tokenize: words,
    processTerm: term,
    searchOptions: {
      boost: { name: 3, title: 2, summary: 2, description: 0.5, params: 0.3 },
    },
  })
  /** A document's id by its text: tools written alike (the same tool in two views) share one. */
  private readonly ids = new Map<string, number>()
  private indexed: Promise<void> = Promise.resolve()

  /** Search over these tools (one caller's view), once what of them is new is indexed. */
  async scope(tools: JsonObject[]): Promise<ScopedSearch> {
    const fresh: Indexed[] = []
    const inScope = new Map<number, JsonObject>()
    for (const tool of tools) inScope.set(this.idOf(tool, fresh), tool)
    if (fresh.length > 0) {
      this.indexed = this.indexed.then(() => this.search.addAllAsync(fresh, { chunkSize: CHUNK }))
    }
    await this.indexed
    const filter = (hit: { id: number }) => inScope.has(hit.id)
    return {
      find: (query, limit) =>
        this.search
          .search(toolQuery(query), { filter })
          .slice(0, limit)
          .map((hit) => inScope.get(hit.id) as JsonObject),
    }
  }

  /** Tool texts indexed so far. */
  get size(): number {
    return this.ids.size
  }

  private idOf(tool: JsonObject, fresh: Indexed[]): number {
    const document = documentOf(tool)
    const text = JSON.stringify(Object.values(document))
    let id = this.ids.get(text)
    if (id === undefined) {
      id = this.ids.size
      this.ids.set(text, id)
      fresh.push({ id, ...document })
    }
    return id
  }
}

function documentOf(tool: JsonObject): Omit<Indexed, 'id'> {
  const description = typeof tool.description === 'string' ? tool.description : ''
  return {
    name: String(tool.name),
    title: typeof tool.title === 'string' ? tool.title : '',
    summary: firstSentence(description),
    description,
    params: paramText(tool.inputSchema),
  }
}
