const BEARER = /^Bearer[ \t]+([^\s,]+)[ \t]*$/i

/** The token of an `Authorization: Bearer <token>` header, if the request has one. */
export function bearerToken(request: Request): string | undefined {
  return request.headers.get('authorization')?.match(BEARER)?.[1]
}

/** An API key from `Authorization: Bearer <key>`, else from `X-API-Key: <key>`. */
export function presentedApiKey(request: Request): string | undefined {
  return bearerToken(request) ?? (request.headers.get('x-api-key')?.trim() || undefined)
}
