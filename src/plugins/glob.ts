/**
 * A matcher for tool-name globs: `*` is any run of characters (empty too), `?` exactly one,
 * everything else literal; a pattern matches the whole name. No patterns match nothing.
 *
 * @example
 * ```ts
 * const matches = globMatcher(['github__*', 'read_?ile'])
 * matches('github__create_issue') // true
 * ```
 */
export function globMatcher(patterns: readonly string[]): (name: string) => boolean {
  if (patterns.length === 0) return () => false
  const regex = new RegExp(`^(?:${patterns.map(globSource).join('|')})$`, 'u')
  return (name) => regex.test(name)
}

function globSource(pattern: string): string {
  return [...pattern]
    .map((char) => (char === '*' ? '.*' : char === '?' ? '.' : char.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('')
}
