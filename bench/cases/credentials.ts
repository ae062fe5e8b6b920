import { writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startJwtIssuer } from '../../test/helpers/jwt-issuer.ts'
import { startOAuthServer } from '../../test/helpers/oauth-server.ts'
import { type Contender, measure } from '../lib/measure.ts'
import { PROXMCP_ROOT } from '../lib/paths.ts'
import { startHttpUpstreams } from '../targets/http-upstream.ts'
import { startProxmcp } from '../targets/proxmcp.ts'
import type { CaseContext, CaseResult } from './case-types.ts'

export const KEYS_SHARED = 'ProxMCP, API keys, one upstream credential'
export const KEYS_OWN = 'ProxMCP, API keys, a credential per identity'
export const JWT_SHARED = 'ProxMCP, JWTs, one upstream credential'
export const JWT_EXCHANGE = 'ProxMCP, JWTs, token exchange per identity'

const AUDIENCE = 'https://proxmcp.bench/mcp'
const IDENTITIES = 16

/**
 * Case 6: what per-identity upstream credentials cost. One upstream; 16 clients, each its own
 * identity; the same authentication either way, with the upstream reached with one credential for
 * all, or with each identity's own (a `credentials` map; RFC 8693 token exchange against a real
 * authorization server, tokens cached).
 */
export async function credentials(ctx: CaseContext): Promise<CaseResult> {
  const stops: (() => Promise<void> | void)[] = []
  try {
    const issuer = await startJwtIssuer(AUDIENCE)
    stops.push(issuer.close)
    const auth = await startOAuthServer({
      clients: { proxmcp: { secret: 'bench-secret' } },
      subjectJwksUrl: issuer.jwksUrl,
      tokenLifetimeSec: 3_600,
    })
    stops.push(auth.close)
    const upstream = await startHttpUpstreams('case6-upstream', { count: 1, fillerTools: 10, era: 'both' })
    stops.push(upstream.stop)
    const url = upstream.urls[0] as string
    const ids = Array.from({ length: IDENTITIES }, (_, i) => `user-${i + 1}`)
    const keys = Object.fromEntries(ids.map((id) => [id, `${id}-key-0123456789abcdef`]))
    const jwts = await Promise.all(
      ids.map((sub) => issuer.sign({ sub, exp: Math.floor(Date.now() / 1000) + 7_200 })),
    )
    const service = { authorization: 'Bearer service-token' }
    const start = async (name: string, upstreamConfig: Record<string, unknown>, plugin: string) => {
      const file = join(tmpdir(), `proxmcp-bench-${name}-${process.pid}.config.ts`)
      writeFileSync(
        file,
        [
          `import { authPlugin } from ${JSON.stringify(join(PROXMCP_ROOT, 'src', 'index.ts'))}`,
          `export default { upstreams: [${JSON.stringify({ id: 'u', url, headers: service, ...upstreamConfig })}], plugins: [${plugin}] }`,
        ].join('\n'),
      )
      const target = await startProxmcp(name, { args: ['--config', file] })
      stops.push(target.stop)
      return target
    }
    const apiKeys = `authPlugin({ mode: 'apikey', keys: ${JSON.stringify(keys)} })`
    const jwtAuth = `authPlugin({ mode: 'jwt', jwksUrl: ${JSON.stringify(issuer.jwksUrl)}, audience: ${JSON.stringify(AUDIENCE)} })`
    const keysShared = await start('case6-keys-shared', {}, apiKeys)
    const keysOwn = await start(
      'case6-keys-own',
      {
        credentials: Object.fromEntries(
          ids.map((id) => [id, { headers: { authorization: `Bearer ${id}-pat` } }]),
        ),
      },
      apiKeys,
    )
    const jwtShared = await start('case6-jwt-shared', {}, jwtAuth)
    const jwtExchange = await start(
      'case6-jwt-exchange',
      {
        tokenExchange: {
          tokenEndpoint: auth.tokenEndpoint,
          clientId: 'proxmcp',
          clientSecret: 'bench-secret',
        },
      },
      jwtAuth,
    )
    const keyHeaders = ids.map((id) => ({ 'x-api-key': keys[id] as string }))
    const jwtHeaders = jwts.map((jwt) => ({ authorization: `Bearer ${jwt}` }))
    const contender = (
      name: string,
      target: { url: string; pid: number },
      headers: Record<string, string>[],
    ) =>
      ({
        name,
        driver: 'raw',
        endpoint: target.url,
        tool: 'echo',
        proxyPid: target.pid,
        upstreamPid: upstream.pid,
        headers,
      }) satisfies Contender
    const plan = { ...ctx.plan, ops: ['call' as const], concurrencies: [1, 16] }
    const measurements = await measure(
      ctx.load,
      [
        contender(KEYS_SHARED, keysShared, keyHeaders),
        contender(KEYS_OWN, keysOwn, keyHeaders),
        contender(JWT_SHARED, jwtShared, jwtHeaders),
        contender(JWT_EXCHANGE, jwtExchange, jwtHeaders),
      ],
      plan,
      ctx.log,
    )
    const exchanges = auth.issued.filter((issued) => issued.grant === 'token-exchange').length
    return {
      id: 'credentials',
      title: 'Case 6: upstream credentials per identity vs one for all',
      measurements,
      comparisons: [
        { target: KEYS_OWN, baseline: KEYS_SHARED },
        { target: JWT_EXCHANGE, baseline: JWT_SHARED },
      ],
      memory: [],
      notes: [
        `v2 upstream; 2025-era clients (tools/call takes the direct path); each client is its own identity (${IDENTITIES} identities) and has its own upstream session either way: only the credential it carries differs.`,
        `Token exchange against a loopback authorization server (jose, RFC 8693); tokens are cached per identity: ${exchanges} exchanges for the whole case.`,
      ],
    }
  } finally {
    for (const stop of stops.reverse()) await stop()
  }
}
