// Rate and concurrency limits per identity and per guichet on the data plane's routes, with
// inject(), a MockAgent upstream and an injected monotonic clock: 429 Faults in the client's SOAP
// version with Retry-After, nothing forwarded, counted; a slot held until the answer ends.
import t from 'tap'
import { corpusCase } from '../integration/helpers/gateway-stack.js'
import { faultCode, SERVICE, UPSTREAM_PATH, unitGateway } from './helpers/unit-gateway.js'

const cre = corpusCase('valid-getNumUnique-cre-mtom')!
const ANSWER = Buffer.from('<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Body/></env:Envelope>')

/** The corpus CRE acting for another guichet (same length: the MIME framing holds). */
function actingAs (guichet: string): Buffer {
  return Buffer.from(cre.message.toString('latin1')
    .replace(/<ns1:numGuichet>G1226</g, `<ns1:numGuichet>${guichet}<`)
    .replace(/DEMG1226-/g, `DEM${guichet}-`)
    .replace(/CERG1226-/g, `CER${guichet}-`), 'latin1')
}

function clock (): { now: () => number, advance: (ms: number) => void } {
  let ms = 1000
  return { now: () => ms, advance: (d) => { ms += d } }
}

t.test('identity rate: the burst is admitted, the next call is a 429 Fault with Retry-After, not forwarded; a token later it passes', async (t) => {
  const time = clock()
  const gw = await unitGateway((c) => { c.environments.ecole.limits = { identity: { ratePerSecond: 0.5, burst: 2 } } }, { now: time.now })
  t.teardown(gw.close)
  gw.upstream.intercept({ path: UPSTREAM_PATH, method: 'POST' }).reply(200, ANSWER).times(3)
  const send = async (): Promise<Awaited<ReturnType<typeof gw.gateway.app.inject>>> =>
    await gw.gateway.app.inject({ method: 'POST', url: SERVICE, payload: cre.message, headers: { 'content-type': cre.contentType } })
  t.equal((await send()).statusCode, 200)
  t.equal((await send()).statusCode, 200)
  const refused = await send()
  t.equal(refused.statusCode, 429)
  t.equal(refused.headers['retry-after'], '2', 'one token every 2 s')
  t.equal(refused.headers['content-type'], 'application/soap+xml; charset=utf-8')
  t.equal(faultCode(refused.body), 'GW_LIMIT_RATE')
  t.match(refused.body, '<env:Value>env:Sender</env:Value>')
  t.match(refused.body, 'client (no certificate, 127.0.0.1) is over its rate of 0.5 calls per second')
  t.equal(gw.mock.pendingInterceptors().length, 1, 'the refused call was not forwarded')
  t.match(gw.logs.access().at(-1), { status: 429, outcome: 'refused', code: 'GW_LIMIT_RATE' })
  t.match(await gw.gateway.metrics.registry.metrics(), 'sne_gateway_limit_refusals_total{env="ecole",limit="rate",scope="identity"} 1')
  // Callers without a certificate are counted by address: another address has its own bucket.
  const elsewhere = await gw.gateway.app.inject({ method: 'POST', url: SERVICE, payload: cre.message, headers: { 'content-type': cre.contentType }, remoteAddress: '127.0.0.2' })
  t.equal(elsewhere.statusCode, 200, 'another address without a certificate is not refused')
  gw.upstream.intercept({ path: UPSTREAM_PATH, method: 'POST' }).reply(200, ANSWER)

  // SOAP 1.1 by its Content-Type: refused before the body is read, in the client's version.
  const soap11 = await gw.gateway.app.inject({ method: 'POST', url: SERVICE, payload: '<x/>', headers: { 'content-type': 'text/xml; charset=utf-8' } })
  t.equal(soap11.statusCode, 429)
  t.equal(soap11.headers['content-type'], 'text/xml; charset=utf-8')
  t.match(soap11.body, '<gw:code>GW_LIMIT_RATE</gw:code>')

  time.advance(1500)
  t.equal((await send()).headers['retry-after'], '1', '0.5 s to wait: rounded up to 1')
  time.advance(500)
  t.equal((await send()).statusCode, 200, 'a token came back')
})

t.test('identity concurrency: a call holds its slot until its answer ends; validate-only is limited too, in problem+json', async (t) => {
  const gw = await unitGateway((c) => { c.environments.ecole.limits = { identity: { concurrent: 1 } } })
  t.teardown(gw.close)
  gw.upstream.intercept({ path: UPSTREAM_PATH, method: 'POST' }).reply(200, ANSWER).delay(300)
  gw.upstream.intercept({ path: UPSTREAM_PATH, method: 'POST' }).reply(200, ANSWER)
  const slow = gw.gateway.app.inject({ method: 'POST', url: SERVICE, payload: cre.message, headers: { 'content-type': cre.contentType } })
  for (let i = 0; i < 200 && gw.mock.pendingInterceptors().length === 2; i++) await new Promise((resolve) => setTimeout(resolve, 5))
  const second = await gw.gateway.app.inject({ method: 'POST', url: SERVICE, payload: cre.message, headers: { 'content-type': cre.contentType } })
  t.equal(second.statusCode, 429)
  t.equal(second.headers['retry-after'], '1')
  t.equal(faultCode(second.body), 'GW_LIMIT_CONCURRENCY')
  t.match(second.body, 'client (no certificate, 127.0.0.1) already has 1 calls in progress')
  const validate = await gw.gateway.app.inject({ method: 'POST', url: '/ecole/validate', payload: cre.message, headers: { 'content-type': cre.contentType } })
  t.equal(validate.statusCode, 429)
  t.equal(validate.headers['content-type'], 'application/problem+json; charset=utf-8')
  t.match(validate.json(), { code: 'GW_LIMIT_CONCURRENCY', status: 429 })
  const wsdl = await gw.gateway.app.inject({ method: 'GET', url: SERVICE + '?wsdl' })
  t.equal(wsdl.statusCode, 200, 'the WSDL publication is not limited')
  t.equal((await slow).statusCode, 200)
  const after = await gw.gateway.app.inject({ method: 'POST', url: SERVICE, payload: cre.message, headers: { 'content-type': cre.contentType } })
  t.equal(after.statusCode, 200, 'the slot came back when the answer ended')
  t.match(await gw.gateway.metrics.registry.metrics(), 'sne_gateway_limit_refusals_total{env="ecole",limit="concurrency",scope="identity"} 2')
})

t.test('guichet rate: counted per guichet the message acts for, after it is decoded, whoever sends it', async (t) => {
  const time = clock()
  const gw = await unitGateway((c) => { c.environments.ecole.limits = { guichet: { ratePerSecond: 1, burst: 1 } } }, { now: time.now })
  t.teardown(gw.close)
  gw.upstream.intercept({ path: UPSTREAM_PATH, method: 'POST' }).reply(200, ANSWER).times(2)
  const send = async (message: Buffer): Promise<Awaited<ReturnType<typeof gw.gateway.app.inject>>> =>
    await gw.gateway.app.inject({ method: 'POST', url: SERVICE, payload: message, headers: { 'content-type': cre.contentType } })
  t.equal((await send(cre.message)).statusCode, 200, 'G1226\'s first call')
  const refused = await send(cre.message)
  t.equal(refused.statusCode, 429)
  t.equal(faultCode(refused.body), 'GW_LIMIT_RATE')
  t.match(refused.body, 'guichet G1226 is over its rate of 1 calls per second')
  t.equal(refused.headers['retry-after'], '1')
  t.equal((await send(actingAs('G1104'))).statusCode, 200, 'another guichet has its own bucket')
  const both = Buffer.from(actingAs('G1104').toString('latin1').replace(/CERG1104-/g, 'CERG1226-'), 'latin1')
  t.equal(faultCode((await send(both)).body), 'GW_LIMIT_RATE', 'a message acting for two guichets is refused when one of them is over')
  t.equal(gw.mock.pendingInterceptors().length, 0)
  t.match(gw.logs.lines().find((l) => l.msg === 'call refused by a limit'), { limit: 'rate', scope: 'guichet', guichet: 'G1226' })
  t.match(await gw.gateway.metrics.registry.metrics(), 'sne_gateway_limit_refusals_total{env="ecole",limit="rate",scope="guichet"} 2')
})

t.test('without limits, nothing is refused and no state is kept', async (t) => {
  const gw = await unitGateway()
  t.teardown(gw.close)
  gw.upstream.intercept({ path: UPSTREAM_PATH, method: 'POST' }).reply(200, ANSWER).times(5)
  for (let i = 0; i < 5; i++) {
    const res = await gw.gateway.app.inject({ method: 'POST', url: SERVICE, payload: cre.message, headers: { 'content-type': cre.contentType } })
    t.equal(res.statusCode, 200)
  }
})
