/**
 * A Node.js process's garbage collections and event-loop delay, read from prom-client's default
 * metrics in its Prometheus text (the gateway's ops `/metrics`): two scrapes around a load window
 * give the collections of that window.
 */
/** A gateway's garbage collections and event-loop delay, read from its Prometheus text. */
export interface ProcessMetrics {
  /** by GC kind: collections, total seconds, and each bucket's cumulative count */
  gc: Map<string, { count: number, sum: number, buckets: Map<number, number> }>
  /** prom-client's event-loop delay percentiles since its previous scrape, seconds */
  lag: Map<string, number>
}

/** Parses the `*_gc_duration_seconds` histogram and the `*_eventloop_lag_*_seconds` gauges of a scrape. */
export function parseProcessMetrics (text: string): ProcessMetrics {
  const gc: ProcessMetrics['gc'] = new Map()
  const lag = new Map<string, number>()
  const kindOf = (labels: string): string => /kind="([^"]*)"/.exec(labels)?.[1] ?? '?'
  const entry = (kind: string): { count: number, sum: number, buckets: Map<number, number> } => {
    let e = gc.get(kind)
    if (e === undefined) gc.set(kind, e = { count: 0, sum: 0, buckets: new Map() })
    return e
  }
  for (const line of text.split('\n')) {
    const m = /^[a-z_]*?(gc_duration_seconds|eventloop_lag_([a-z0-9]+)_seconds)(_bucket|_sum|_count)?(\{[^}]*\})? ([0-9.eE+-]+|NaN)$/.exec(line)
    if (m === null) continue
    const value = Number(m[5])
    if (m[2] !== undefined) {
      if (m[3] === undefined) lag.set(m[2], value)
      continue
    }
    const labels = m[4] ?? ''
    const e = entry(kindOf(labels))
    if (m[3] === '_sum') e.sum = value
    else if (m[3] === '_count') e.count = value
    else if (m[3] === '_bucket') {
      const le = /le="([^"]*)"/.exec(labels)?.[1]
      if (le !== undefined) e.buckets.set(le === '+Inf' ? Infinity : Number(le), value)
    }
  }
  return { gc, lag }
}

export interface GcWindow { kind: string, count: number, totalMs: number, /** the smallest bucket bound holding every pause of the window, ms */ maxBoundMs: number }

/** The collections of each kind between two scrapes. */
export function gcBetween (before: ProcessMetrics, after: ProcessMetrics): GcWindow[] {
  const out: GcWindow[] = []
  for (const [kind, a] of after.gc) {
    const b = before.gc.get(kind) ?? { count: 0, sum: 0, buckets: new Map<number, number>() }
    const count = a.count - b.count
    if (count <= 0) continue
    let maxBoundMs = Infinity
    for (const [le, n] of [...a.buckets].sort((x, y) => x[0] - y[0])) {
      if (n - (b.buckets.get(le) ?? 0) === count) { maxBoundMs = le * 1000; break }
    }
    out.push({ kind, count, totalMs: (a.sum - b.sum) * 1000, maxBoundMs })
  }
  return out.sort((x, y) => x.kind.localeCompare(y.kind))
}
