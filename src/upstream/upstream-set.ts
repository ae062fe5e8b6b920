import type { UpstreamConfig } from '../config/resolve.ts'
import type { UpstreamChanges } from '../reload-plan.ts'
import { Upstream, type UpstreamDeps, type UpstreamEvents } from './upstream.ts'

/**
 * The configured upstreams, in config order. `all` is one array for the proxy's lifetime: the
 * catalog, the metrics and the scopes hold it, and a reload changes it in place.
 */
export class UpstreamSet {
  readonly all: Upstream[]

  constructor(
    configs: UpstreamConfig[],
    private readonly deps: UpstreamDeps,
    private readonly events: UpstreamEvents,
  ) {
    this.all = configs.map((config) => this.create(config))
  }

  startAll(): Promise<void> {
    return Promise.all(this.all.map((upstream) => upstream.start())).then(() => {})
  }

  stopAll(): Promise<void> {
    return Promise.all(this.all.map((upstream) => upstream.stop())).then(() => {})
  }

  /**
   * Takes a reload's changes: added and changed upstreams are created (not started), removed and
   * changed ones leave the set (not stopped), and the set follows the new config's order.
   */
  replace(changes: UpstreamChanges, next: UpstreamConfig[]): { leaving: Upstream[]; fresh: Upstream[] } {
    const replaced = new Set([...changes.removed, ...changes.changed.map((upstream) => upstream.id)])
    const leaving = this.all.filter((upstream) => replaced.has(upstream.id))
    const byId = new Map(this.all.map((upstream) => [upstream.id, upstream]))
    const fresh = [...changes.added, ...changes.changed].map((config) => this.create(config))
    for (const upstream of fresh) byId.set(upstream.id, upstream)
    // A `headers` function is code JSON cannot compare: the kept upstream takes the new one.
    for (const config of next) byId.get(config.id)?.credentials.useHeadersFunction(config.headers)
    this.all.splice(0, this.all.length, ...next.map((config) => byId.get(config.id) as Upstream))
    return { leaving, fresh }
  }

  private create(config: UpstreamConfig): Upstream {
    return new Upstream(config, this.deps, this.events)
  }
}
