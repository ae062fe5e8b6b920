/**
 * How the built-in plugins refuse a request: one JSON shape, `{ error, message }`, where `error`
 * is a stable code (`unauthorized`, `forbidden`, `rate_limited`) and `message` is for people.
 */
export function refusal(
  status: number,
  error: string,
  message: string,
  headers: Record<string, string> = {},
): Response {
  return Response.json({ error, message }, { status, headers: { 'cache-control': 'no-store', ...headers } })
}
