export type Labels = Record<string, string>

interface Series {
  labels: Labels
  value: number
}

/** Latency buckets in seconds, from sub-millisecond proxy hops to long tool calls. */
const DEFAULT_BUCKETS = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60,
]

/** Identifies a label set on the hot path: cheap to build, never shown (see `rendered`). */
function key(labels: Labels): string {
  let id = ''
  for (const name in labels) id += `${name}\u0000${labels[name]}\u0001`
  return id
}

/** A label set as Prometheus text shows it: `name="value",…`, values escaped. */
function rendered(labels: Labels): string {
  return Object.entries(labels)
    .map(
      ([name, value]) =>
        `${name}="${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`,
    )
    .join(',')
}

abstract class Metric {
  protected readonly series = new Map<string, Series>()

  constructor(
    readonly name: string,
    private readonly help: string,
    private readonly type: 'counter' | 'gauge' | 'histogram',
  ) {}

  render(): string {
    return [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} ${this.type}`, ...this.lines()].join(
      '\n',
    )
  }

  protected abstract lines(): string[]
}

export class Counter extends Metric {
  constructor(name: string, help: string) {
    super(name, help, 'counter')
  }

  inc(labels: Labels = {}, by = 1): void {
    const id = key(labels)
    const series = this.series.get(id)
    if (series) series.value += by
    else this.series.set(id, { labels, value: by })
  }

  /** The sum over the series whose labels pass `which`. */
  sum(which: (labels: Labels) => boolean = () => true): number {
    let total = 0
    for (const series of this.series.values()) if (which(series.labels)) total += series.value
    return total
  }

  protected lines(): string[] {
    return [...this.series.values()].map((series) => {
      const labels = rendered(series.labels)
      return `${this.name}${labels ? `{${labels}}` : ''} ${series.value}`
    })
  }
}

/** A gauge read at scrape time, so it can never drift from the state it reports. */
export class Gauge extends Metric {
  constructor(
    name: string,
    help: string,
    private readonly read: () => Series[],
  ) {
    super(name, help, 'gauge')
  }

  protected lines(): string[] {
    return this.read().map(
      ({ labels, value }) =>
        `${this.name}${Object.keys(labels).length ? `{${rendered(labels)}}` : ''} ${value}`,
    )
  }
}

export class Histogram extends Metric {
  private readonly buckets = new Map<
    string,
    { labels: Labels; counts: number[]; sum: number; count: number }
  >()

  constructor(
    name: string,
    help: string,
    private readonly bounds = DEFAULT_BUCKETS,
  ) {
    super(name, help, 'histogram')
  }

  observe(labels: Labels, seconds: number): void {
    const id = key(labels)
    let entry = this.buckets.get(id)
    if (!entry) {
      entry = { labels, counts: this.bounds.map(() => 0), sum: 0, count: 0 }
      this.buckets.set(id, entry)
    }
    // Counted in its own bucket only; `lines` adds them up into Prometheus's cumulative ones.
    let index = 0
    while (index < this.bounds.length && seconds > (this.bounds[index] as number)) index++
    if (index < this.bounds.length) (entry.counts[index] as number)++
    entry.sum += seconds
    entry.count++
  }

  /** Every series added up: observations per bucket (not cumulative, the last one past every bound) and their count. */
  totals(): { bounds: number[]; counts: number[]; count: number } {
    const counts = [...this.bounds.map(() => 0), 0]
    let count = 0
    for (const entry of this.buckets.values()) {
      let bucketed = 0
      entry.counts.forEach((value, index) => {
        counts[index] = (counts[index] as number) + value
        bucketed += value
      })
      counts[this.bounds.length] = (counts[this.bounds.length] as number) + entry.count - bucketed
      count += entry.count
    }
    return { bounds: this.bounds, counts, count }
  }

  protected lines(): string[] {
    return [...this.buckets.values()].flatMap((entry) => {
      const id = rendered(entry.labels)
      const prefix = id ? `${id},` : ''
      let cumulative = 0
      return [
        ...this.bounds.map((bound, index) => {
          cumulative += entry.counts[index] as number
          return `${this.name}_bucket{${prefix}le="${bound}"} ${cumulative}`
        }),
        `${this.name}_bucket{${prefix}le="+Inf"} ${entry.count}`,
        `${this.name}_sum${id ? `{${id}}` : ''} ${entry.sum}`,
        `${this.name}_count${id ? `{${id}}` : ''} ${entry.count}`,
      ]
    })
  }
}

/** Renders metrics in the Prometheus text exposition format. */
export function renderMetrics(metrics: Metric[]): string {
  return `${metrics.map((metric) => metric.render()).join('\n\n')}\n`
}
