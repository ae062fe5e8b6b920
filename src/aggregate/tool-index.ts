import MiniSearch from 'minisearch'
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

/** Each stem's synonyms, stemmed: a query term is expanded to them. */
const SYNONYMS = new Map<string, string[]>()
for (const group of SYNONYM_GROUPS) {
  const stems = group.map((word) => stemmer(word))
  for (const stem of stems) SYNONYMS.set(stem, [...new Set([...(SYNONYMS.get(stem) ?? [stem]), ...stems])])
}

function queryTerms(word: string): string[] | null {
  const stem = term(word)
  return stem === null ? null : (SYNONYMS.get(stem) ?? [stem])
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

/**
 * BM25 ranking of one client's tools (MiniSearch) over their names, titles, descriptions and
 * parameters. Built once per tool view, so a search sees only what its caller may call.
 */
export class ToolIndex {
  private readonly search: MiniSearch<Indexed>

  constructor(private readonly tools: JsonObject[]) {
    this.search = new MiniSearch<Indexed>({
      fields: ['name', 'title', 'summary', 'description', 'params'],
      tokenize: words,
      processTerm: term,
      searchOptions: {
        boost: { name: 3, title: 2, summary: 2, description: 0.5, params: 0.3 },
        processTerm: queryTerms,
      },
    })
    this.search.addAll(
      tools.map((tool, id) => ({
        id,
        name: String(tool.name),
        title: typeof tool.title === 'string' ? tool.title : '',
        summary: typeof tool.description === 'string' ? firstSentence(tool.description) : '',
        description: typeof tool.description === 'string' ? tool.description : '',
        params: paramText(tool.inputSchema),
      })),
    )
  }

  /** The best matches for a query, best first. */
  find(query: string, limit: number): JsonObject[] {
    return this.search
      .search(query)
      .slice(0, limit)
      .map((hit) => this.tools[hit.id] as JsonObject)
  }
}
