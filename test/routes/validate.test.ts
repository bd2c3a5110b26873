// POST /{env}/validate: validate-only, nothing forwarded; JSON report, or SOAP by Accept.
import t from 'tap'
import { corpusCase } from '../integration/helpers/gateway-stack.js'
import { wantsSoap } from '../../src/routes/validate.js'
import { faultCode, SERVICE, unitGateway } from './helpers/unit-gateway.js'
import { edited, getNumUnique } from '../fixtures/corpus-kit.js'
import { MASKED_VALUES_NOTE } from '../../src/routes/validation-failure.js'

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

// A birth date that is no date: the schema message quotes it.
const badDate = getNumUnique(edited('cre', ['<ns1:dateNaissance>1985-01-20<', '<ns1:dateNaissance>1985-13-45<']), 'mtom')
const QUOTED = "'1985-13-45' is not a valid value of the atomic type 'xs:date'"
const MASKED = "'9999-99-99' is not a valid value of the atomic type 'xs:date'"

t.test('validate-only answers the integrator\'s own values, JSON and SOAP; the logs never carry them', async (t) => {
  const gw = await unitGateway()
  t.teardown(gw.close)
  const json = await gw.gateway.app.inject({ method: 'POST', url: '/ecole/validate', payload: badDate.message, headers: { 'content-type': badDate.contentType } })
  const report = json.json() as { valid: boolean, violations: Array<{ code: string, message: string, valuesMasked?: boolean }> }
  const type = report.violations.find((v) => v.code === 'GW_SCHEMA_TYPE')
  t.match(type?.message, QUOTED, 'the value as sent')
  t.equal(type?.valuesMasked, undefined, 'not marked masked')
  const soap = await gw.gateway.app.inject({ method: 'POST', url: '/ecole/validate', payload: badDate.message, headers: { 'content-type': badDate.contentType, accept: 'application/soap+xml' } })
  t.equal(soap.statusCode, 400)
  t.match(soap.body, QUOTED)
  t.notMatch(soap.body, /9999-99-99|valuesMasked/)
  t.notMatch(soap.body, MASKED_VALUES_NOTE, 'no masking note where nothing is masked')
  t.ok(gw.logs.raw.length > 0)
  t.notOk(gw.logs.raw.some((l) => l.includes('1985-13-45')), 'no log line carries the value')
})

t.test('a proxied call refused keeps the values masked and says so, in the Reason and on each violation', async (t) => {
  const gw = await unitGateway()
  t.teardown(gw.close)
  const res = await gw.gateway.app.inject({ method: 'POST', url: SERVICE, payload: badDate.message, headers: { 'content-type': badDate.contentType } })
  t.equal(res.statusCode, 400)
  t.notMatch(res.body, '1985-13-45')
  t.match(res.body, new RegExp(`<env:Text xml:lang="en">GW_SCHEMA_TYPE: [^<]*${MASKED.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\. \\(${MASKED_VALUES_NOTE}\\)`))
  t.match(res.body, /<gw:code>GW_SCHEMA_TYPE<\/gw:code><gw:message>[^<]*9999-99-99[^<]*<\/gw:message>(?:<gw:(?:path|line|column|part)>[^<]*<\/gw:(?:path|line|column|part)>)*<gw:valuesMasked>true<\/gw:valuesMasked><\/gw:violation>/)
  t.equal(gw.mock.pendingInterceptors().length, 0)
  t.notOk(gw.logs.raw.some((l) => l.includes('1985-13-45')), 'no log line carries the value')
})
