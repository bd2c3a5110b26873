// The census metrics on a registry: handshakes by negotiated version and outcome, rejections by
// offered version and reason, addresses by readiness.
import t from 'tap'
import { Registry } from 'prom-client'
import { createCensus } from '../../src/census/census.js'
import { createCensusMetrics } from '../../src/census/census-metrics.js'
import { legacy, rejected, success } from './helpers/records.js'

t.test('counters and the readiness gauge', async (t) => {
  const registry = new Registry()
  const census = createCensus()
  t.teardown(() => census.close())
  const metrics = createCensusMetrics(registry, { census })
  const at = Date.now() - 60_000 // readiness is reckoned from the real clock here
  const records = [legacy(at), legacy(at + 1, '192.0.2.10', 'gw.example', 0x0302), success(at + 2, '192.0.2.11', 'gw.example', 0x0304), success(at + 3),
    rejected(at + 4, '192.0.2.12', 'plain-http'), rejected(at + 5, '192.0.2.13', 'empty'), rejected(at + 6, '192.0.2.14', 'sslv2-hello', 0x0002)]
  for (const r of records) {
    census.observe(r)
    metrics.observe(r)
  }
  const text = await registry.metrics()
  t.match(text, /sne_gateway_tls_census_handshakes_total\{version="TLSv1\.3",outcome="success"\} 1/)
  t.match(text, /sne_gateway_tls_census_handshakes_total\{version="TLSv1\.2",outcome="success"\} 1/)
  t.match(text, /sne_gateway_tls_census_handshakes_total\{version="none",outcome="failure"\} 2/)
  t.match(text, /sne_gateway_tls_census_handshakes_total\{version="none",outcome="rejected"\} 2/, 'empty connections are not handshakes')
  t.match(text, /sne_gateway_tls_rejections_total\{offered_version="TLSv1",reason="unsupported-protocol"\} 1/)
  t.match(text, /sne_gateway_tls_rejections_total\{offered_version="TLSv1\.1",reason="unsupported-protocol"\} 1/)
  t.match(text, /sne_gateway_tls_rejections_total\{offered_version="none",reason="plain-http"\} 1/)
  t.match(text, /sne_gateway_tls_rejections_total\{offered_version="none",reason="empty"\} 1/)
  t.match(text, /sne_gateway_tls_rejections_total\{offered_version="SSLv2",reason="sslv2-hello"\} 1/)
  t.match(text, /sne_gateway_tls_census_addresses\{status="migrating"\} 1/, '192.0.2.10: TLS 1.0/1.1 then 1.2')
  t.match(text, /sne_gateway_tls_census_addresses\{status="ready"\} 1/)
  t.match(text, /sne_gateway_tls_census_addresses\{status="legacy-only"\} 1/)
  t.match(text, /sne_gateway_tls_census_addresses\{status="other"\} 1/)
})

t.test('a prefix of its own, and no clash with another registry', async (t) => {
  const registry = new Registry()
  createCensusMetrics(registry, { prefix: 'x_' })
  createCensusMetrics(new Registry())
  t.ok(registry.getSingleMetric('x_tls_rejections_total'))
  t.notOk(registry.getSingleMetric('x_tls_census_addresses'), 'no gauge without a census')
})
