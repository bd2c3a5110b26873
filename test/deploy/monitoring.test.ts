// The Grafana dashboard and the Prometheus alerting rules under docker/monitoring/: every metric
// their queries use is one the gateway registers (its own metrics and the census's, on one
// registry, as `sne-gateway start` makes them), and `promtool check rules` accepts the rules
// (Debian's prometheus package; .ci/run installs it).
import t from 'tap'
import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { createMetrics } from '../../src/observability/metrics.js'
import { createCensusMetrics } from '../../src/census/census-metrics.js'
import { createCensus } from '../../src/census/census.js'

const DIR = fileURLToPath(new URL('../../docker/monitoring/', import.meta.url))
const dashboard = JSON.parse(readFileSync(`${DIR}grafana-dashboard.json`, 'utf8')) as {
  panels: Array<{ title: string, targets: Array<{ expr: string }> }>
  templating: { list: Array<{ query?: unknown }> }
}
const rules = readFileSync(`${DIR}alerts.yaml`, 'utf8')

/** Every metric name the gateway exposes, histogram series included. */
async function registered (): Promise<Set<string>> {
  const metrics = createMetrics()
  const census = createCensus()
  createCensusMetrics(metrics.registry, { census })
  census.close()
  const names = new Set<string>()
  for (const m of await metrics.registry.getMetricsAsJSON()) {
    names.add(m.name)
    if (String(m.type) === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(m.name + suffix)
  }
  return names
}

const used = (text: string): string[] => [...new Set([...text.matchAll(/\bsne_gateway_[a-z0-9_]+/g)].map((m) => m[0]))]

t.test('the dashboard queries registered metrics only', async (t) => {
  const names = await registered()
  const exprs = dashboard.panels.flatMap((p) => p.targets.map((target) => target.expr))
  t.ok(exprs.length >= 15, 'every panel has its query')
  const metrics = used(exprs.join('\n') + JSON.stringify(dashboard.templating))
  t.ok(metrics.length >= 15)
  for (const name of metrics) t.ok(names.has(name), `${name} is registered`)
})

t.test('the alerting rules use registered metrics only, and cover what ops asked for', async (t) => {
  const names = await registered()
  for (const name of used(rules)) t.ok(names.has(name), `${name} is registered`)
  for (const alert of ['SneGatewayUpstreamDown', 'SneGatewayValidationFailuresRising', 'SneGatewayValidationWorkerRestarts', 'SneGatewayCallsOutlastTheDrain', 'SneGatewayLegacyTlsAfterDeadline', 'SneGatewayShedding']) {
    t.match(rules, `- alert: ${alert}\n`)
  }
})

t.test('promtool check rules accepts them', async (t) => {
  const { stdout } = await promisify(execFile)('promtool', ['check', 'rules', `${DIR}alerts.yaml`], { timeout: 30000 })
  t.match(stdout, /SUCCESS: 6 rules found/)
})
