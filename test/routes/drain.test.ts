// The drain on close(): in-flight calls finish, new calls on open connections are refused 503
// (GW_ROUTE_SHUTTING_DOWN, Connection: close), readiness turns false, and close() resolves once
// the in-flight call is done; a drain that times out cuts what is left.
import t from 'tap'
import { corpusCase } from '../integration/helpers/gateway-stack.js'
import { FakeUpstream } from './helpers/fake-upstream.js'
import { faultCode, SERVICE, UPSTREAM_PATH, unitGateway } from './helpers/unit-gateway.js'

const read = corpusCase('valid-getDemandeLogement-mtom')!

t.test('close() lets the in-flight call finish and refuses new ones', async (t) => {
  const gw = await unitGateway()
  gw.upstream.intercept({ path: UPSTREAM_PATH, method: 'POST' }).reply(200, '<slow/>').delay(300)
  await gw.gateway.app.ready()
  const inflight = gw.gateway.app.inject({ method: 'POST', url: SERVICE, payload: read.message, headers: { 'content-type': read.contentType } })
  // Let the call reach the upstream before closing.
  for (let i = 0; i < 200 && gw.mock.pendingInterceptors().length > 0; i++) await new Promise((resolve) => setTimeout(resolve, 2))
  let closed = false
  const closing = gw.gateway.close().then(() => { closed = true })
  const refused = await gw.gateway.app.inject({ method: 'POST', url: SERVICE, payload: read.message, headers: { 'content-type': read.contentType } })
  t.equal(refused.statusCode, 503)
  t.equal(faultCode(refused.body), 'GW_ROUTE_SHUTTING_DOWN')
  t.equal(refused.headers.connection, 'close')
  t.equal(closed, false, 'close() waits for the in-flight call')
  const first = await inflight
  t.equal(first.statusCode, 200)
  t.equal(first.body, '<slow/>')
  t.equal(first.headers.connection, 'close', 'answers during the drain close their connection')
  await closing
  t.equal(closed, true)
})

t.test('a drain that times out cuts the call and still closes', async (t) => {
  const upstream = new FakeUpstream([{ kind: 'hang' }])
  const gw = await unitGateway((c) => { c.shutdown = { drainTimeoutMs: 50 } }, { createDispatcher: () => upstream })
  await gw.gateway.app.ready()
  const inflight = gw.gateway.app.inject({ method: 'POST', url: SERVICE, payload: read.message, headers: { 'content-type': read.contentType } })
  for (let i = 0; i < 200 && upstream.calls.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 2))
  await gw.gateway.close()
  t.ok(gw.logs.lines().some((l) => l.msg === 'drain timed out: remaining calls are cut'))
  const res = await inflight
  t.equal(res.statusCode, 503, 'the pool was destroyed under it')
  t.equal(faultCode(res.body), 'GW_PROXY_UPSTREAM_UNAVAILABLE')
})
