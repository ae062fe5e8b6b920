/** Keys whose values are never logged, at any depth. */
export const SECRET_KEY = /authorization|api[-_]?key|token|secret|password/i

const MAX_DEPTH = 16

/**
 * A copy of a JSON value with the values of secret-looking keys replaced by `[redacted]`,
 * recursively; anything nested deeper than a log line needs becomes `[truncated]`.
 *
 * @example
 * ```ts
 * redact({ user: 'ann', auth: { apiKey: 'sk-1' } }) // { user: 'ann', auth: { apiKey: '[redacted]' } }
 * ```
 */
export function redact(value: unknown, depth = 0): unknown {
  if (typeof value !== 'object' || value === null) return value
  if (depth >= MAX_DEPTH) return '[truncated]'
  if (Array.isArray(value)) return value.map((item) => redact(item, depth + 1))
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [
      key,
      SECRET_KEY.test(key) ? '[redacted]' : redact(item, depth + 1),
    ]),
  )
}
