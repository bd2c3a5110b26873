// POST /{env}/validate: validate-only, nothing forwarded; JSON report, or SOAP by Accept.
import t from 'tap'
import { corpusCase } from '../integration/helpers/gateway-stack.js'
import { wantsSoap } from '../../src/routes/validate.js'
import { faultCode, unitGateway } from './helpers/unit-gateway.js'

const valid = corpusCase('valid-getNumUnique-cre-mtom')!
const invalid = corpusCase('rule-guichet-mismatch')!

t.test('JSON report of a valid message', async (t) => {
  const gw = await unitGateway()
  t.teardown(gw.close)
  const res = await gw.gateway.app.inject({ method: 'POST', url: '/ecole/validate', payload: valid.message, headers: { 'content-type': valid.contentType } })
  t.equal(res.statusCode, 200)
  t.equal(res.headers['content-type'], 'application/json; charset=utf-8')
  t.same(res.json(), { valid: true, operation: 'getNumUnique', soapVersion: '1.2', violations: [] })
  t.equal(gw.mock.pendingInterceptors().length, 0)
  t.match(gw.logs.access().at(-1), { outcome: 'validated', mode: 'validate', status: 200 })
})

t.test('JSON report of an invalid message lists the violations', async (t) => {
  const gw = await unitGateway()
  t.teardown(gw.close)
  const res = await gw.gateway.app.inject({ method: 'POST', url: '/ecole/validate', payload: invalid.message, headers: { 'content-type': invalid.contentType } })
  t.equal(res.statusCode, 200)
  const report = res.json() as { valid: boolean, violations: Array<{ code: string }> }
  t.equal(report.valid, false)
  t.same(report.violations.map((v) => v.code), invalid.violations)
})

t.test('SOAP clients get an OK envelope or the Fault', async (t) => {
  const gw = await unitGateway()
  t.teardown(gw.close)
  const ok = await gw.gateway.app.inject({ method: 'POST', url: '/ecole/validate', payload: valid.message, headers: { 'content-type': valid.contentType, accept: 'application/soap+xml' } })
  t.equal(ok.statusCode, 200)
  t.equal(ok.headers['content-type'], 'application/soap+xml; charset=utf-8')
  t.match(ok.body, '<gw:validationReport ok="true" operation="getNumUnique"/>')
  const bad = await gw.gateway.app.inject({ method: 'POST', url: '/ecole/validate', payload: invalid.message, headers: { 'content-type': invalid.contentType, accept: 'text/xml;q=0.9, */*;q=0.1' } })
  t.equal(bad.statusCode, 400)
  t.equal(faultCode(bad.body), invalid.violations[0])
})

t.test('errors of the call itself are application/problem+json for JSON callers', async (t) => {
  const gw = await unitGateway((c) => { c.dataPlane.bodyLimit = 2048 })
  t.teardown(gw.close)
  const unknown = await gw.gateway.app.inject({ method: 'POST', url: '/production/validate', payload: valid.message, headers: { 'content-type': valid.contentType } })
  t.equal(unknown.statusCode, 404)
  t.equal(unknown.headers['content-type'], 'application/problem+json; charset=utf-8')
  t.match(unknown.json(), { type: 'urn:sne-gateway:error:GW_ROUTE_UNKNOWN_ENVIRONMENT', status: 404, code: 'GW_ROUTE_UNKNOWN_ENVIRONMENT', title: 'environment production is not configured on this gateway', instance: `urn:uuid:${String(unknown.headers['x-request-id'])}` })
  const large = await gw.gateway.app.inject({ method: 'POST', url: '/ecole/validate', payload: valid.message, headers: { 'content-type': valid.contentType } })
  t.equal(large.statusCode, 413)
  t.match(large.json(), { code: 'GW_ROUTE_BODY_TOO_LARGE' })
})

t.test('wantsSoap reads the Accept header', async (t) => {
  t.equal(wantsSoap(undefined), false)
  t.equal(wantsSoap('application/json'), false)
  t.equal(wantsSoap('application/soap+xml; charset=utf-8'), true)
  t.equal(wantsSoap('application/json, TEXT/XML;q=0.5'), true)
})
