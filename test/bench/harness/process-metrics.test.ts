import t from 'tap'
import { Registry, collectDefaultMetrics } from 'prom-client'
import { gcBetween, parseProcessMetrics } from '../../../bench/harness/process-metrics.js'

const scrape = (minor: { count: number, sum: number, buckets: number[] }, lagP99: number): string => [
  '# HELP sne_gateway_nodejs_gc_duration_seconds Garbage collection duration by kind, one of major, minor, incremental or weakcb.',
  '# TYPE sne_gateway_nodejs_gc_duration_seconds histogram',
  ...[0.001, 0.01, 0.1, 1, 2, 5].map((le, i) => `sne_gateway_nodejs_gc_duration_seconds_bucket{le="${le}",kind="minor"} ${minor.buckets[i]!}`),
  `sne_gateway_nodejs_gc_duration_seconds_bucket{le="+Inf",kind="minor"} ${minor.count}`,
  `sne_gateway_nodejs_gc_duration_seconds_sum{kind="minor"} ${minor.sum}`,
  `sne_gateway_nodejs_gc_duration_seconds_count{kind="minor"} ${minor.count}`,
  'sne_gateway_nodejs_gc_duration_seconds_count{kind="major"} 2',
  'sne_gateway_nodejs_gc_duration_seconds_sum{kind="major"} 0.03',
  `sne_gateway_nodejs_eventloop_lag_p99_seconds ${lagP99}`,
  'sne_gateway_nodejs_eventloop_lag_max_seconds NaN',
  'sne_gateway_requests_total{env="ecole"} 5'
].join('\n')

t.test('the collections of a window: counts, time and the smallest bucket holding all of them', async (t) => {
  const before = parseProcessMetrics(scrape({ count: 10, sum: 0.02, buckets: [4, 10, 10, 10, 10, 10] }, 0.011))
  const after = parseProcessMetrics(scrape({ count: 15, sum: 0.05, buckets: [6, 14, 15, 15, 15, 15] }, 0.093))
  t.same(gcBetween(before, after), [{ kind: 'minor', count: 5, totalMs: 30.000000000000004, maxBoundMs: 100 }], 'no major in the window; a minor over 10 ms puts the bound at 100 ms')
  t.equal(after.lag.get('p99'), 0.093)
  t.ok(Number.isNaN(after.lag.get('max')), 'NaN (no sample yet) is kept as such')
  const calm = parseProcessMetrics(scrape({ count: 12, sum: 0.021, buckets: [6, 12, 12, 12, 12, 12] }, 0.01))
  t.equal(gcBetween(before, calm)[0]?.maxBoundMs, 1, 'both collections under 1 ms')
})

t.test('prom-client\'s own text parses: its event-loop delay gauges and its GC histogram names', async (t) => {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry, prefix: 'sne_gateway_' })
  await new Promise((resolve) => setTimeout(resolve, 30))
  const parsed = parseProcessMetrics(await registry.metrics())
  for (const k of ['min', 'max', 'mean', 'p50', 'p90', 'p99']) t.ok(parsed.lag.has(k), `eventloop_lag_${k}`)
  t.same(gcBetween(parsed, parsed), [], 'no collection between a scrape and itself')
})
