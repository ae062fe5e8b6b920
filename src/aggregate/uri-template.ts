/** The pattern each RFC 6570 expression operator expands to, loosely: enough to tell which template a URI fits. */
const OPERATOR_PATTERNS: Record<string, string> = {
  '': '[^/?#]*',
  '+': '.*',
  '#': '(?:#.*)?',
  '.': '(?:\\.[^/?#]*)*',
  '/': '(?:/[^/?#]*)*',
  ';': '(?:;[^/?#]*)*',
  '?': '(?:\\?[^#]*)?',
  '&': '(?:&[^#]*)*',
}

/** Compiles a URI template into a predicate that tells whether a concrete URI fits it. */
export function compileUriTemplate(template: string): (uri: string) => boolean {
  let pattern = ''
  let last = 0
  for (const match of template.matchAll(/\{([+#./;?&]?)[^}]*\}/g)) {
    pattern += escapeRegExp(template.slice(last, match.index)) + (OPERATOR_PATTERNS[match[1] ?? ''] ?? '.*')
    last = match.index + match[0].length
  }
  const regex = new RegExp(`^${pattern}${escapeRegExp(template.slice(last))}$`)
  return (uri) => regex.test(uri)
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}
