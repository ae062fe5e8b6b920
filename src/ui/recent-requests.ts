import type { ProxMCPContext } from '../plugins/types.ts'

/** One request as the status page lists it: never its body or headers. */
export interface RecentRequest {
  time: string
  method: string
  name?: string
  upstream?: string
  status: number
  durationMs: number
}

const KEPT = 50

/** The last requests served, newest first, in a fixed-size ring. */
export class RecentRequests {
  private readonly ring: RecentRequest[] = []
  private next = 0

  record(ctx: ProxMCPContext, status: number, durationMs: number): void {
    const params = ctx.rpc?.params
    const name = params?.name ?? params?.uri
    this.ring[this.next] = {
      time: new Date().toISOString(),
      method: ctx.rpc?.method ?? `${ctx.http.method} ${ctx.http.path}`,
      ...(typeof name === 'string' && { name }),
      ...(ctx.upstream && { upstream: ctx.upstream }),
      status,
      durationMs: Math.round(durationMs * 10) / 10,
    }
    this.next = (this.next + 1) % KEPT
  }

  list(): RecentRequest[] {
    return [...this.ring.slice(this.next), ...this.ring.slice(0, this.next)].reverse()
  }
}
