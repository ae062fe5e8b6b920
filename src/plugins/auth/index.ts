export { AUTH_SCOPES_STATE, authPlugin } from './auth-plugin.ts'
export type { ApiKeyAuthOptions, AuthOptions, JwtAuthOptions } from './types.ts'
