import { proxyErrors } from '../errors.ts'
import type { JsonObject } from '../upstream/link.ts'
import type { ScopedSearch } from './tool-index.ts'
import type { ToolView } from './tool-views.ts'

export const SEARCH_TOOLS = 'search_tools'
export const CALL_TOOL = 'call_tool'

/** With tool search on, these names are the proxy's: an upstream tool of that name is neither listed nor reached. */
export function isMetaTool(name: string): boolean {
  return name === SEARCH_TOOLS || name === CALL_TOOL
}

/** `toolSearch` as configured: tools always listed as themselves, next to the two meta-tools. */
export interface ToolSearchOptions {
  pinned: string[]
}

const DEFAULT_LIMIT = 5
const MAX_LIMIT = 20

/** What a client lists with tool search on: the meta-tools, then the pinned tools it may see. */
export function listedTools(view: ToolView, options: ToolSearchOptions): JsonObject[] {
  const pinned = options.pinned
    .filter((name) => !isMetaTool(name))
    .flatMap((name) => view.tools.filter((tool) => tool.name === name))
  return [...metaTools(view.tools.length), ...pinned]
}

function metaTools(count: number): JsonObject[] {
  return [
    {
      name: SEARCH_TOOLS,
      title: 'Search tools',
      description:
        `Finds the right tool for a task among the ${count} tools this server offers, which are not listed ` +
        `one by one. Describe the task in a few words; the best matches come back with their names, ` +
        `descriptions and input schemas. Then run one with ${CALL_TOOL}.`,
      inputSchema: {
        type: 'object',
        properties: {
          query: { type: 'string', description: 'What the tool should do, in plain words.' },
          limit: {
            type: 'integer',
            minimum: 1,
            maximum: MAX_LIMIT,
            description: `How many matches to return (default ${DEFAULT_LIMIT}).`,
          },
        },
        required: ['query'],
      },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    {
      name: CALL_TOOL,
      title: 'Call a tool',
      description: `Runs a tool found with ${SEARCH_TOOLS}: its exact name, and arguments that follow its input schema.`,
      inputSchema: {
        type: 'object',
        properties: {
          name: { type: 'string', description: `The tool's name, as ${SEARCH_TOOLS} gave it.` },
          arguments: { type: 'object', description: "The tool's arguments." },
        },
        required: ['name'],
      },
    },
  ]
}

/** The answer to `search_tools`: the caller's best matches, as a tool result. */
export async function searchTools(search: Promise<ScopedSearch>, args: unknown): Promise<JsonObject> {
  const { query, limit = DEFAULT_LIMIT } = (args ?? {}) as { query?: unknown; limit?: unknown }
  if (typeof query !== 'string' || query.trim() === '')
    throw proxyErrors.invalidToolArguments(SEARCH_TOOLS, 'query must be a non-empty string')
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1)
    throw proxyErrors.invalidToolArguments(SEARCH_TOOLS, 'limit must be a positive integer')
  const tools = (await search)
    .find(query, Math.min(limit, MAX_LIMIT))
    .map(({ name, title, description, inputSchema }) => ({
      name,
      ...(title !== undefined && { title }),
      ...(description !== undefined && { description }),
      inputSchema,
    }))
  return {
    content: [{ type: 'text', text: JSON.stringify({ tools }) }],
    structuredContent: { tools },
  }
}

/**
 * A `call_tool` request as the tools/call it stands for, so that everything after (plugins, ACL,
 * rate limits, logs, routing, progress, the upstream's questions) sees the real tool; in a batch,
 * each one. Anything else, and a `call_tool` without a tool name (answered as an error later), is
 * returned as it is.
 */
export function unwrapCallTool(body: unknown): unknown {
  if (Array.isArray(body)) {
    const messages = body.map(unwrapCallTool)
    return messages.some((message, i) => message !== body[i]) ? messages : body
  }
  const call = body as { method?: unknown; params?: { name?: unknown; arguments?: unknown } } | null
  if (call?.method !== 'tools/call' || call.params?.name !== CALL_TOOL) return body
  const inner = call.params.arguments as { name?: unknown; arguments?: unknown } | undefined
  if (typeof inner?.name !== 'string') return body
  return { ...call, params: { ...call.params, name: inner.name, arguments: inner.arguments ?? {} } }
}
