// /metrics on the ops plane: prom-client text format, process metrics and the data plane's
// counters, from a registry of the gateway's own.
import t from 'tap'
import { corpusCase } from '../integration/helpers/gateway-stack.js'
import { createMetrics } from '../../src/observability/metrics.js'
import { SERVICE, UPSTREAM_PATH, unitGateway } from '../routes/helpers/unit-gateway.js'

t.test('/metrics exposes process metrics and the calls by env, operation, outcome and status', async (t) => {
  const gw = await unitGateway()
  t.teardown(gw.close)
  const c = corpusCase('valid-getDemandeLogement-mtom')!
  gw.upstream.intercept({ path: UPSTREAM_PATH, method: 'POST' }).reply(200, '<ok/>')
  await gw.gateway.app.inject({ method: 'POST', url: SERVICE, payload: c.message, headers: { 'content-type': c.contentType } })
  await gw.gateway.app.inject({ method: 'POST', url: '/nope/services/DemandeLogementImplService/', payload: c.message, headers: { 'content-type': c.contentType } })
  const res = await gw.gateway.ops!.inject('/metrics')
  t.equal(res.statusCode, 200)
  t.match(res.headers['content-type'], /^text\/plain; version=0\.0\.4/)
  t.match(res.body, 'sne_gateway_process_cpu_user_seconds_total')
  t.match(res.body, 'sne_gateway_requests_total{env="ecole",operation="getDemandeLogement",outcome="forwarded",status="200"} 1')
  t.match(res.body, 'sne_gateway_requests_total{env="none",operation="unknown",outcome="refused",status="404"} 1')
  t.match(res.body, 'sne_gateway_request_duration_seconds_count{env="ecole",operation="getDemandeLogement",outcome="forwarded"} 1')
  t.match(res.body, 'sne_gateway_upstream_duration_seconds_count{env="ecole",operation="getDemandeLogement"} 1')
  t.match(res.body, 'sne_gateway_validation_duration_seconds_count{operation="getDemandeLogement"} 1')
  t.match(res.body, /sne_gateway_inflight_requests 0/)
})

t.test('each gateway has its own registry', async (t) => {
  const a = createMetrics()
  const b = createMetrics()
  a.requests.inc({ env: 'ecole', operation: 'x', outcome: 'forwarded', status: '200' })
  t.match(await a.registry.metrics(), 'sne_gateway_requests_total{env="ecole",operation="x",outcome="forwarded",status="200"} 1')
  t.notMatch(await b.registry.metrics(), 'operation="x"')
})
