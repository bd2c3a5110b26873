// The proxied webservice route with inject() and a MockAgent upstream: validation modes,
// forwarding (original bytes, header allowlist), answers passed through, refusals as Faults.
import t from 'tap'
import { IDENTIFY_INLINE_MAX } from '../../src/routes/soap-service.js'
import { inlineChecker, type CheckOptions } from '../../src/contract/message-check.js'
import { corpusCase, sharedSpec } from '../integration/helpers/gateway-stack.js'
import { faultCode, SERVICE, UPSTREAM_PATH, unitGateway } from './helpers/unit-gateway.js'

const valid = corpusCase('valid-getNumUnique-cre-mtom')!
const invalid = corpusCase('rule-guichet-mismatch')!
const read = corpusCase('valid-getDemandeLogement-mtom')!
const ANSWER = Buffer.from('--MIME_BOUNDARY\r\nContent-Type: application/xop+xml\r\n\r\n<answer/>\r\n--MIME_BOUNDARY--\r\n')
const ANSWER_TYPE = 'multipart/related; type="application/xop+xml"; boundary="MIME_BOUNDARY"'

t.test('a valid message is forwarded with its original bytes and the allowlisted headers', async (t) => {
  const gw = await unitGateway()
  t.teardown(gw.close)
  let seen: { headers: Record<string, string>, body: Buffer } | undefined
  gw.upstream.intercept({ path: UPSTREAM_PATH, method: 'POST' }).reply(200, (opts) => {
    seen = { headers: opts.headers as Record<string, string>, body: Buffer.from(opts.body as Buffer) }
    return ANSWER
  }, { headers: { 'content-type': ANSWER_TYPE, 'set-cookie': 'upstream=1', server: 'sne' } })
  const res = await gw.gateway.app.inject({
    method: 'POST',
    url: SERVICE,
    payload: valid.message,
    headers: {
      'content-type': valid.contentType,
      soapaction: '"http://ws.metier.nuu.application.i2/getNumUnique"',
      cookie: 'secret=1',
      authorization: 'Basic eDp5',
      'x-request-id': 'client-id-42',
      'x-forwarded-for': '1.2.3.4'
    }
  })
  t.equal(res.statusCode, 200)
  t.equal(res.headers['content-type'], ANSWER_TYPE)
  t.ok(res.rawPayload.equals(ANSWER), 'answer bytes unchanged')
  t.equal(res.headers['set-cookie'], undefined, 'upstream headers outside the allowlist stay behind')
  const id = res.headers['x-request-id'] as string
  t.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, 'the gateway\'s own request id, never the client\'s')
  t.ok(seen !== undefined && seen.body.equals(valid.message), 'the original bytes reached the upstream')
  t.same(Object.keys(seen!.headers).sort(), ['content-length', 'content-type', 'soapaction', 'x-request-id'].filter((h) => h !== 'content-length' || 'content-length' in seen!.headers).sort())
  t.equal(seen!.headers['content-type'], valid.contentType, 'content type with all its parameters')
  t.equal(seen!.headers['x-request-id'], id, 'the upstream gets the gateway\'s id')
  const line = gw.logs.access().at(-1)!
  t.match(line, { reqId: id, clientRequestId: 'client-id-42', env: 'ecole', operation: 'getNumUnique', outcome: 'forwarded', status: 200, bytesIn: valid.message.length, bytesOut: ANSWER.length })
})

t.test('the client\'s X-Request-Id is logged beside the gateway\'s id, bounded and sanitized; two clients cannot collide', async (t) => {
  const gw = await unitGateway()
  t.teardown(gw.close)
  gw.upstream.intercept({ path: UPSTREAM_PATH, method: 'POST' }).reply(200, ANSWER).times(3)
  const send = async (id: string): Promise<string> => {
    const res = await gw.gateway.app.inject({ method: 'POST', url: SERVICE, payload: valid.message, headers: { 'content-type': valid.contentType, 'x-request-id': id } })
    return res.headers['x-request-id'] as string
  }
  const a = await send('same-id')
  const b = await send('same-id')
  t.not(a, b, 'two calls with one client id get two gateway ids')
  t.same(gw.logs.access().slice(-2).map((l) => l.clientRequestId), ['same-id', 'same-id'])
  await send('x'.repeat(300) + '\u00e9"<>')
  const last = gw.logs.access().at(-1)!
  t.equal(last.clientRequestId, 'x'.repeat(128), 'at most 128 characters')
  const unsafe = await gw.gateway.app.inject({ method: 'POST', url: SERVICE, payload: invalid.message, headers: { 'content-type': invalid.contentType, 'x-request-id': 'a b"c\\d' } })
  t.equal(unsafe.statusCode, 400)
  t.equal(gw.logs.access().at(-1)!.clientRequestId, 'a_b_c_d', 'characters outside A-Za-z0-9._:- replaced')
})

t.test('headers upstream are computed from the validated message, whatever Connection lists', async (t) => {
  const gw = await unitGateway()
  t.teardown(gw.close)
  let headers: Record<string, string> = {}
  gw.upstream.intercept({ path: UPSTREAM_PATH, method: 'POST' }).reply(200, (opts) => { headers = opts.headers as Record<string, string>; return ANSWER })
  const res = await gw.gateway.app.inject({ method: 'POST', url: SERVICE, payload: valid.message, headers: { 'content-type': valid.contentType, soapaction: 'getNumUnique', connection: 'keep-alive, Content-Type, SOAPAction', 'x-request-id': 'chosen-by-client' } })
  t.equal(res.statusCode, 200)
  t.equal(headers['content-type'], valid.contentType, 'the Content-Type the message was decoded with, even when Connection lists it')
  t.equal(headers.soapaction, '"http://ws.metier.nuu.application.i2/getNumUnique"', 'the soapAction of the operation in the Body')
  t.not(headers['x-request-id'], 'chosen-by-client', 'the gateway\'s own request id')
})

t.test('enforce: an invalid message gets a Fault listing its violations, nothing is forwarded', async (t) => {
  const gw = await unitGateway()
  t.teardown(gw.close)
  const res = await gw.gateway.app.inject({ method: 'POST', url: SERVICE, payload: invalid.message, headers: { 'content-type': invalid.contentType } })
  t.equal(res.statusCode, 400)
  t.equal(res.headers['content-type'], 'application/soap+xml; charset=utf-8')
  t.equal(faultCode(res.body), invalid.violations[0])
  for (const code of invalid.violations) t.match(res.body, `<gw:code>${code}</gw:code>`)
  t.match(res.body, '<env:Value>env:Sender</env:Value>')
  // The Reason is the first violation's code and message, what a client's exception text shows.
  const reason = /<env:Text xml:lang="en">([^<]*)<\/env:Text>/.exec(res.body)?.[1] ?? ''
  const firstMessage = /<gw:violation><gw:code>[^<]*<\/gw:code><gw:message>([^<]*)<\/gw:message>/.exec(res.body)?.[1] ?? '(none)'
  t.ok(reason.startsWith(`${invalid.violations[0]!}: ${firstMessage}`), 'Reason = first code: first message')
  if (invalid.violations.length > 1) t.match(reason, `(and ${invalid.violations.length - 1} more violation(s) in the Detail)`)
  t.equal(gw.mock.pendingInterceptors().length, 0, 'no upstream interceptor was needed')
  t.match(gw.logs.access().at(-1), { outcome: 'invalid', status: 400, violations: invalid.violations, code: invalid.violations[0] })
  const metrics = await gw.gateway.metrics.registry.metrics()
  t.match(metrics, `sne_gateway_validation_failures_total{env="ecole",operation="getNumUnique",code="${invalid.violations[0]}",mode="enforce"} 1`)
})

t.test('report: an invalid message is forwarded, logged and counted', async (t) => {
  const gw = await unitGateway((c) => { c.environments.ecole.validation = { mode: 'report' } })
  t.teardown(gw.close)
  gw.upstream.intercept({ path: UPSTREAM_PATH, method: 'POST' }).reply(200, ANSWER, { headers: { 'content-type': ANSWER_TYPE } })
  const res = await gw.gateway.app.inject({ method: 'POST', url: SERVICE, payload: invalid.message, headers: { 'content-type': invalid.contentType } })
  t.equal(res.statusCode, 200)
  t.match(gw.logs.access().at(-1), { outcome: 'forwarded', mode: 'report', violations: invalid.violations })
  t.match(await gw.gateway.metrics.registry.metrics(), `mode="report"} 1`)
})

t.test('off for one operation: the message is still read to find its operation, then forwarded whatever its violations', async (t) => {
  const gw = await unitGateway((c) => { c.environments.ecole.validation = { operations: { getNumUnique: 'off' } } })
  t.teardown(gw.close)
  gw.upstream.intercept({ path: UPSTREAM_PATH, method: 'POST' }).reply(200, ANSWER)
  const res = await gw.gateway.app.inject({ method: 'POST', url: SERVICE, payload: invalid.message, headers: { 'content-type': invalid.contentType } })
  t.equal(res.statusCode, 200)
  const line = gw.logs.access().at(-1)!
  t.match(line, { mode: 'off', outcome: 'forwarded', operation: 'getNumUnique' })
  t.equal(line.violations, undefined, 'mode off: violations are neither counted nor refused')
  // Another operation keeps the environment's mode (enforce).
  const bad = corpusCase('payload-missing-numUnique')!
  const refused = await gw.gateway.app.inject({ method: 'POST', url: SERVICE, payload: bad.message, headers: { 'content-type': bad.contentType } })
  t.equal(refused.statusCode, 400)
})

t.test('the mode is the one of the Body\'s operation, not of the declared action', async (t) => {
  // getDemandeLogement is off; an invalid getNumUnique declared as getDemandeLogement must not borrow its mode
  const gw = await unitGateway((c) => { c.environments.ecole.validation = { operations: { getDemandeLogement: 'off' } } })
  t.teardown(gw.close)
  const declared = invalid.contentType.replace(/action="[^"]*"/, 'action="http://ws.metier.nuu.application.i2/getDemandeLogement"')
  t.not(declared, invalid.contentType)
  const res = await gw.gateway.app.inject({ method: 'POST', url: SERVICE, payload: invalid.message, headers: { 'content-type': declared } })
  t.equal(res.statusCode, 400)
  t.match(res.body, '<gw:code>GW_SPEC_ACTION_MISMATCH</gw:code>')
  for (const code of invalid.violations) t.match(res.body, `<gw:code>${code}</gw:code>`, 'validated in the mode of getNumUnique, enforce')
  t.match(gw.logs.access().at(-1), { operation: 'getNumUnique', mode: 'enforce', outcome: 'invalid' })
})

t.test('a declared action naming another operation is refused in every mode', async (t) => {
  for (const mode of ['enforce', 'report', 'off'] as const) {
    const gw = await unitGateway((c) => { c.environments.ecole.validation = { mode } })
    t.teardown(gw.close)
    const declared = valid.contentType.replace(/action="[^"]*"/, 'action="http://ws.metier.nuu.application.i2/getDoublons"')
    const res = await gw.gateway.app.inject({ method: 'POST', url: SERVICE, payload: valid.message, headers: { 'content-type': declared } })
    t.equal(res.statusCode, 400, mode)
    t.equal(faultCode(res.body), 'GW_SPEC_ACTION_MISMATCH', mode)
    t.equal(gw.mock.pendingInterceptors().length, 0, `${mode}: nothing forwarded`)
    t.match(gw.logs.access().at(-1), { operation: 'getNumUnique', outcome: 'invalid' }, `${mode}: logged as the Body's operation`)
  }
})

t.test('an environment that is not configured answers a Fault', async (t) => {
  const gw = await unitGateway()
  t.teardown(gw.close)
  const res = await gw.gateway.app.inject({ method: 'POST', url: '/production/services/DemandeLogementImplService/', payload: valid.message, headers: { 'content-type': valid.contentType } })
  t.equal(res.statusCode, 404)
  t.equal(faultCode(res.body), 'GW_ROUTE_UNKNOWN_ENVIRONMENT')
  t.match(res.body, 'environment production is not configured on this gateway')
})

t.test('a disabled environment answers 503', async (t) => {
  const gw = await unitGateway((c) => { c.environments.production = { enabled: false, upstream: { url: 'https://prod.test/s/' } } })
  t.teardown(gw.close)
  const res = await gw.gateway.app.inject({ method: 'POST', url: '/production/services/DemandeLogementImplService/', payload: valid.message, headers: { 'content-type': valid.contentType } })
  t.equal(res.statusCode, 503)
  t.equal(faultCode(res.body), 'GW_ROUTE_ENVIRONMENT_DISABLED')
  t.match(res.body, '<env:Value>env:Receiver</env:Value>')
})

t.test('the SNE\'s own path selects the environment by host name', async (t) => {
  const gw = await unitGateway((c) => { c.environments.ecole.hostnames = ['ecole.gw.test'] })
  t.teardown(gw.close)
  gw.upstream.intercept({ path: UPSTREAM_PATH, method: 'POST' }).reply(200, ANSWER)
  const res = await gw.gateway.app.inject({ method: 'POST', url: '/services/DemandeLogementImplService/', payload: valid.message, headers: { host: 'ECOLE.gw.test:8443', 'content-type': valid.contentType } })
  t.equal(res.statusCode, 200)
  const other = await gw.gateway.app.inject({ method: 'POST', url: '/services/DemandeLogementImplService', payload: valid.message, headers: { host: 'other.test', 'content-type': valid.contentType } })
  t.equal(other.statusCode, 404)
  t.equal(faultCode(other.body), 'GW_ROUTE_UNKNOWN_HOST')
})

t.test('a body over bodyLimit answers 413 without reading further', async (t) => {
  const gw = await unitGateway((c) => { c.dataPlane.bodyLimit = 4096 })
  t.teardown(gw.close)
  const res = await gw.gateway.app.inject({ method: 'POST', url: SERVICE, payload: Buffer.alloc(10000, 0x41), headers: { 'content-type': 'application/soap+xml' } })
  t.equal(res.statusCode, 413)
  t.equal(faultCode(res.body), 'GW_ROUTE_BODY_TOO_LARGE')
})

t.test('a body without Content-Type answers 415', async (t) => {
  const gw = await unitGateway()
  t.teardown(gw.close)
  const res = await gw.gateway.app.inject({ method: 'POST', url: SERVICE, payload: valid.message })
  t.equal(res.statusCode, 415)
  t.match(faultCode(res.body), /^GW_(ROUTE|SOAP)_UNSUPPORTED_MEDIA_TYPE$/)
})

t.test('a SOAP 1.1 message gets a SOAP 1.1 Fault', async (t) => {
  const gw = await unitGateway()
  t.teardown(gw.close)
  const envelope = '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><x/></soap:Body></soap:Envelope>'
  const res = await gw.gateway.app.inject({ method: 'POST', url: SERVICE, payload: envelope, headers: { 'content-type': 'text/xml; charset=utf-8' } })
  t.equal(res.statusCode, 500, 'SOAP 1.1 §6.2: a Fault is answered on HTTP 500 (JAX-WS reads it only there)')
  t.equal(res.headers['content-type'], 'text/xml; charset=utf-8')
  t.match(res.body, '<soap:Fault><faultcode>soap:Client</faultcode>')
})

t.test('an unknown path answers a Fault', async (t) => {
  const gw = await unitGateway()
  t.teardown(gw.close)
  const res = await gw.gateway.app.inject({ method: 'GET', url: '/nothing/here?x=1' })
  t.equal(res.statusCode, 404)
  t.equal(faultCode(res.body), 'GW_ROUTE_NOT_FOUND')
  t.match(res.body, 'no service at GET /nothing/here<')
})

t.test('the upstream\'s status and Fault come back unchanged', async (t) => {
  const gw = await unitGateway()
  t.teardown(gw.close)
  const fault = '<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Body><env:Fault>sne</env:Fault></env:Body></env:Envelope>'
  gw.upstream.intercept({ path: UPSTREAM_PATH, method: 'POST' }).reply(500, fault, { headers: { 'content-type': 'application/soap+xml' } })
  const res = await gw.gateway.app.inject({ method: 'POST', url: SERVICE, payload: read.message, headers: { 'content-type': read.contentType } })
  t.equal(res.statusCode, 500)
  t.equal(res.body, fault)
  t.match(gw.logs.access().at(-1), { outcome: 'forwarded', upstreamStatus: 500 })
})

t.test('a message whose operation cannot be identified is refused in every mode, whatever it declares', async (t) => {
  // A second Body element makes the envelope undecodable: its mode cannot borrow a laxer one.
  const c = corpusCase('xsd-enumeration-civilite')!
  const twoChildren = Buffer.from(c.message.toString('latin1').replace('</ws:numUniqueParametres>', '</ws:numUniqueParametres><x:extra xmlns:x="urn:x"/>'), 'latin1')
  t.not(twoChildren.length, c.message.length)
  for (const validation of [{ mode: 'report', operations: { getNumUnique: 'enforce' } }, { mode: 'off' }, { mode: 'report' }]) {
    const gw = await unitGateway((cfg) => { cfg.environments.ecole.validation = validation })
    t.teardown(gw.close)
    const declared = c.contentType.replace(/action="[^"]*"/, 'action="http://ws.metier.nuu.application.i2/getDoublons"')
    const res = await gw.gateway.app.inject({ method: 'POST', url: SERVICE, payload: twoChildren, headers: { 'content-type': declared } })
    t.equal(res.statusCode, 400, JSON.stringify(validation))
    t.equal(faultCode(res.body), 'GW_SOAP_ENVELOPE_STRUCTURE')
    t.equal(gw.mock.pendingInterceptors().length, 0, 'nothing forwarded')
    const garbage = await gw.gateway.app.inject({ method: 'POST', url: SERVICE, payload: 'not SOAP at all', headers: { 'content-type': 'application/soap+xml' } })
    t.equal(garbage.statusCode, 400, `${JSON.stringify(validation)}: garbage`)
  }
})

t.test('mode off identifies small messages on the event loop and large ones with the checker', async (t) => {
  const inline = inlineChecker(await sharedSpec())
  const calls: boolean[] = []
  const checker = { workers: 1, checked: inline.checked, close: async () => {}, async check (b: Buffer, ct: string | undefined, sa: string | undefined, options?: CheckOptions) { calls.push(options?.identifyOnly === true); return await inline.check(b, ct, sa, options) } }
  const gw = await unitGateway((c) => { c.environments.ecole.validation = { mode: 'off' } }, { checker })
  t.teardown(gw.close)
  gw.upstream.intercept({ path: UPSTREAM_PATH, method: 'POST' }).reply(200, ANSWER).times(2)
  const small = await gw.gateway.app.inject({ method: 'POST', url: SERVICE, payload: valid.message, headers: { 'content-type': valid.contentType } })
  t.equal(small.statusCode, 200)
  t.same(calls, [], 'a few KB: decoded on the event loop')
  const plain = corpusCase('valid-getNumUnique-cre-inline')!
  const big = Buffer.from(plain.message.toString('utf8').replace('</soap:Body>', ' '.repeat(IDENTIFY_INLINE_MAX) + '</soap:Body>'))
  const large = await gw.gateway.app.inject({ method: 'POST', url: SERVICE, payload: big, headers: { 'content-type': plain.contentType } })
  t.equal(large.statusCode, 200)
  t.same(calls, [true], 'beyond 64 KiB: identified by the checker (the workers)')
  t.match(gw.logs.access().at(-1), { operation: 'getNumUnique', mode: 'off' })
})

t.test('mode off: the byte scanner identifies the plain forms, the full decode the others, with one outcome', async (t) => {
  const gw = await unitGateway((c) => { c.environments.ecole.validation = { mode: 'off' } })
  t.teardown(gw.close)
  gw.upstream.intercept({ path: UPSTREAM_PATH, method: 'POST' }).reply(200, ANSWER).times(3)
  const scans = async (): Promise<string> => (await gw.gateway.metrics.registry.getSingleMetricAsString('sne_gateway_identify_scans_total'))
  const send = async (payload: Buffer, contentType: string): Promise<number> =>
    (await gw.gateway.app.inject({ method: 'POST', url: SERVICE, payload, headers: { 'content-type': contentType } })).statusCode
  t.equal(await send(valid.message, valid.contentType), 200)
  t.match(await scans(), 'sne_gateway_identify_scans_total{result="answered"} 1')
  t.match(gw.logs.access().at(-1), { operation: 'getNumUnique', mode: 'off', outcome: 'forwarded' })
  // a comment in the envelope: legal, left to the full decode, which forwards it alike
  const commented = Buffer.from(valid.message.toString('latin1').replace('<soap:Body>', '<soap:Body><!-- a comment -->'), 'latin1')
  t.not(commented.length, valid.message.length)
  t.equal(await send(commented, valid.contentType), 200)
  t.match(await scans(), 'sne_gateway_identify_scans_total{result="deferred"} 1')
  t.match(gw.logs.access().at(-1), { operation: 'getNumUnique', mode: 'off', outcome: 'forwarded' })
  t.equal(await send(read.message, read.contentType), 200)
  t.match(await scans(), 'sne_gateway_identify_scans_total{result="answered"} 2')
})

t.test('mode off: a scanner that throws is counted as failed, and the full decode answers the call', async (t) => {
  const shared = await sharedSpec()
  // the scanner reads the WSDL's SOAP versions from the spec it is given; the full decode has its own
  const broken = Object.create(shared, { soapVersions: { value: { includes: () => { throw new Error('a bug in the scanner') } } } }) as typeof shared
  const gw = await unitGateway((c) => { c.environments.ecole.validation = { mode: 'off' } }, { spec: broken })
  t.teardown(gw.close)
  gw.upstream.intercept({ path: UPSTREAM_PATH, method: 'POST' }).reply(200, ANSWER)
  const res = await gw.gateway.app.inject({ method: 'POST', url: SERVICE, payload: valid.message, headers: { 'content-type': valid.contentType } })
  t.equal(res.statusCode, 200)
  const scans = await gw.gateway.metrics.registry.getSingleMetricAsString('sne_gateway_identify_scans_total')
  t.match(scans, 'sne_gateway_identify_scans_total{result="failed"} 1')
  t.notMatch(scans, 'result="deferred"} 1')
  t.match(gw.logs.access().at(-1), { operation: 'getNumUnique', mode: 'off', outcome: 'forwarded' })
})
