// Response validation in report mode: an answer that drifts from the specification is counted,
// never blocked; a conforming answer counts nothing; with response validation off nothing is checked.
import t, { type Test } from 'tap'
import { readFileSync } from 'node:fs'
import { buildMtomMessage } from '../../src/soap/mtom-writer.js'
import { responseDrift } from '../../src/routes/response-drift.js'
import { corpusCase, sharedSpec } from '../integration/helpers/gateway-stack.js'
import { SERVICE, UPSTREAM_PATH, unitGateway } from './helpers/unit-gateway.js'

const WS = 'http://ws.metier.nuu.application.i2/'
const request = corpusCase('valid-getNumUnique-cre-mtom')!
const document = readFileSync(new URL('../../examples/documents/cre.xml', import.meta.url))

function answer (wrapper: string): { body: Buffer, contentType: string } {
  const envelope = `<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><soap:Body><ns2:${wrapper} xmlns:ns2="${WS}"><fichierReponse><xop:Include xmlns:xop="http://www.w3.org/2004/08/xop/include" href="cid:reponse"/></fichierReponse></ns2:${wrapper}></soap:Body></soap:Envelope>`
  const built = buildMtomMessage({ envelope, action: `${WS}getNumUniqueResponse`, parts: [{ contentId: 'reponse', contentType: 'text/xml; charset=UTF-8', transferEncoding: '8bit', body: document }] })
  return { body: built.body, contentType: built.contentType }
}

t.test('responseDrift: a conforming answer has no violation, a wrong wrapper has one', async (t) => {
  const spec = await sharedSpec()
  const good = answer('numUniqueReponse')
  t.same(responseDrift(spec, 'getNumUnique', good.body, good.contentType), [])
  const wrong = answer('demandeLogementReponse')
  t.same(responseDrift(spec, 'getNumUnique', wrong.body, wrong.contentType).map((v) => v.code), ['GW_ROUTE_DRIFT_WRAPPER'])
  t.same(responseDrift(spec, 'getNumUnique', Buffer.from('not xml'), 'text/html').length, 1, 'an answer that does not decode drifts')
  const fault = Buffer.from('<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Body><env:Fault><env:Code><env:Value>env:Receiver</env:Value></env:Code><env:Reason><env:Text xml:lang="fr">x</env:Text></env:Reason></env:Fault></env:Body></env:Envelope>')
  t.same(responseDrift(spec, 'getNumUnique', fault, 'application/soap+xml'), [], 'a Fault is not drift')
})

/** `framing`: with a Content-Length the gateway reads the answer whole; without, it streams it. */
async function forwardWith (t: Test, responses: 'report' | 'off', wrapper: string, framing: 'length' | 'stream' = 'stream'): Promise<string> {
  const gw = await unitGateway((c) => { c.validation = { responses } })
  t.teardown(gw.close)
  const a = answer(wrapper)
  const length = framing === 'length' ? { 'content-length': String(a.body.length) } : {}
  gw.upstream.intercept({ path: UPSTREAM_PATH, method: 'POST' }).reply(200, a.body, { headers: { 'content-type': a.contentType, ...length } })
  const res = await gw.gateway.app.inject({ method: 'POST', url: SERVICE, payload: request.message, headers: { 'content-type': request.contentType } })
  t.equal(res.statusCode, 200, 'never blocking')
  t.ok(res.rawPayload.equals(a.body), 'the answer is delivered unchanged')
  // Drift is checked after delivery, off the answer's path.
  await new Promise((resolve) => setImmediate(resolve))
  await new Promise((resolve) => setImmediate(resolve))
  return await gw.gateway.metrics.registry.metrics()
}

t.test('report mode counts drift, of a streamed answer and of one read whole', async (t) => {
  for (const framing of ['stream', 'length'] as const) {
    const metrics = await forwardWith(t, 'report', 'demandeLogementReponse', framing)
    t.match(metrics, 'sne_gateway_response_drift_total{env="ecole",operation="getNumUnique",code="GW_ROUTE_DRIFT_WRAPPER"} 1', framing)
  }
})

t.test('report mode counts nothing for a conforming answer', async (t) => {
  const metrics = await forwardWith(t, 'report', 'numUniqueReponse')
  t.notMatch(metrics, /sne_gateway_response_drift_total\{/)
})

t.test('off checks nothing', async (t) => {
  for (const framing of ['stream', 'length'] as const) {
    const metrics = await forwardWith(t, 'off', 'demandeLogementReponse', framing)
    t.notMatch(metrics, /sne_gateway_response_drift_total\{/, framing)
  }
})
