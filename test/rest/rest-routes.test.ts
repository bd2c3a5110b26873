// REST calls through the route with a scripted upstream: the same failure mapping and audit as a
// SOAP call (one path), rendered as problems; the built message is what the upstream receives.
import t from 'tap'
import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { codedError, FakeUpstream } from '../routes/helpers/fake-upstream.js'
import { unitGateway } from '../routes/helpers/unit-gateway.js'
import { NOW } from '../integration/helpers/gateway-stack.js'

const cre = readFileSync(new URL('../../examples/rest/demande-cre.json', import.meta.url), 'utf8')

t.test('a REST creation that times out after it was sent: outcome unknown, audited like a SOAP write, as a problem', async (t) => {
  const audit = join(t.testdir({}), 'audit.jsonl')
  const upstream = new FakeUpstream([{ kind: 'fail-after-send', error: codedError('UND_ERR_HEADERS_TIMEOUT') }])
  const gw = await unitGateway((c) => { c.audit = { file: audit } }, { createDispatcher: () => upstream, clock: () => NOW })
  t.teardown(gw.close)
  const res = await gw.gateway.app.inject({ method: 'POST', url: '/ecole/api/v1/demandes', payload: cre, headers: { 'idempotency-key': randomUUID(), 'content-type': 'application/json', 'x-request-id': 'editor-7' } })
  t.equal(res.statusCode, 504)
  t.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8')
  t.match(res.json(), { code: 'GW_PROXY_OUTCOME_UNKNOWN', status: 504, instance: `urn:uuid:${String(res.headers['x-request-id'])}` })
  t.equal(upstream.calls.length, 1, 'never retried')
  const sent = upstream.calls[0]!
  t.match(String(sent.headers['content-type']), /^multipart\/related; type="application\/xop\+xml"/, 'the upstream got the built MTOM message')
  const records = readFileSync(audit, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>)
  t.match(records, [{ event: 'outcome_unknown', operation: 'getNumUnique', clientRequestId: 'editor-7', fileName: /^DEMG1226-\d{12}-\d{6}\.xml$/, bodySha256: /^[0-9a-f]{64}$/ }])
  t.match(gw.logs.access().at(-1), { outcome: 'outcome_unknown', status: 504, operation: 'getNumUnique' })
})

t.test('a REST read whose upstream is refused is retried once, as a SOAP read', async (t) => {
  const upstream = new FakeUpstream([
    { kind: 'fail-connecting', error: codedError('ECONNREFUSED') },
    { kind: 'fail-connecting', error: codedError('ECONNREFUSED') }
  ])
  const gw = await unitGateway(() => {}, { createDispatcher: () => upstream, clock: () => NOW })
  t.teardown(gw.close)
  const res = await gw.gateway.app.inject({ method: 'GET', url: '/ecole/api/v1/demandes/1110125004242G1226', headers: { 'sne-guichet': 'G1226' } })
  t.equal(res.statusCode, 502)
  t.match(res.json(), { code: 'GW_PROXY_UPSTREAM_UNREACHABLE' })
  t.equal(upstream.calls.length, 2)
})

t.test('the SNE\'s Fault is a 502 problem naming its code, never its text', async (t) => {
  const fault = '<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Body><env:Fault><env:Code><env:Value>env:Receiver</env:Value><env:Subcode><env:Value>sne:ERR_INTERNE</env:Value></env:Subcode></env:Code><env:Reason><env:Text xml:lang="fr">détail interne 42</env:Text></env:Reason></env:Fault></env:Body></env:Envelope>'
  const upstream = new FakeUpstream([{ kind: 'answer', status: 500, body: fault, headers: { 'content-type': 'application/soap+xml; charset=utf-8' } }])
  const gw = await unitGateway(() => {}, { createDispatcher: () => upstream, clock: () => NOW })
  t.teardown(gw.close)
  const res = await gw.gateway.app.inject({ method: 'GET', url: '/ecole/api/v1/demandes/1110125004242G1226', headers: { 'sne-guichet': 'G1226' } })
  t.equal(res.statusCode, 502)
  t.match(res.json(), { code: 'GW_REST_SNE_FAULT', title: 'the SNE answered a SOAP Fault (ERR_INTERNE)' })
  t.notMatch(res.body, 'détail interne')
})

t.test('wrong media type, missing guichet, bad parameters', async (t) => {
  const gw = await unitGateway(() => {}, { clock: () => NOW })
  t.teardown(gw.close)
  const xml = await gw.gateway.app.inject({ method: 'POST', url: '/ecole/api/v1/demandes', payload: '<x/>', headers: { 'idempotency-key': randomUUID(), 'content-type': 'application/xml' } })
  t.equal(xml.statusCode, 415)
  t.equal(xml.json().code, 'GW_REST_UNSUPPORTED_MEDIA_TYPE')
  const array = await gw.gateway.app.inject({ method: 'POST', url: '/ecole/api/v1/demandes', payload: '[]', headers: { 'idempotency-key': randomUUID(), 'content-type': 'application/json' } })
  t.equal(array.json().code, 'GW_REST_INVALID_JSON')
  const noGuichet = await gw.gateway.app.inject({ method: 'GET', url: '/ecole/api/v1/demandes/1110125004242G1226' })
  t.equal(noGuichet.statusCode, 400)
  t.equal(noGuichet.json().code, 'GW_REST_GUICHET_REQUIRED')
  const badNu = await gw.gateway.app.inject({ method: 'GET', url: '/ecole/api/v1/demandes/123', headers: { 'sne-guichet': 'G1226' } })
  t.equal(badNu.json().code, 'GW_REST_INVALID_PARAMETER')
  const badGuichet = await gw.gateway.app.inject({ method: 'GET', url: '/ecole/api/v1/demandes/1110125004242G1226', headers: { 'sne-guichet': 'X' } })
  t.equal(badGuichet.json().code, 'GW_REST_INVALID_PARAMETER')
  const crs = await gw.gateway.app.inject({ method: 'POST', url: '/ecole/api/v1/demandes?typeFichier=MOD', payload: cre, headers: { 'idempotency-key': randomUUID(), 'content-type': 'application/json' } })
  t.match(crs.json(), { code: 'GW_REST_INVALID_PARAMETER', title: 'typeFichier must be one of CRE, CRS here' })
  const noDepuis = await gw.gateway.app.inject({ method: 'GET', url: '/ecole/api/v1/radiations', headers: { 'sne-guichet': 'G1226' } })
  t.match(noDepuis.json(), { code: 'GW_REST_INVALID_PARAMETER', title: /depuis query parameter is required/ })
  t.equal(noDepuis.headers['sne-interface-version'], '02.01')
})

t.test('a REST write\'s JSON is parsed once, for its Idempotency-Key fingerprint and its message', async (t) => {
  const upstream = new FakeUpstream([{ kind: 'fail-after-send', error: codedError('UND_ERR_HEADERS_TIMEOUT') }])
  const gw = await unitGateway(() => {}, { createDispatcher: () => upstream, clock: () => NOW })
  t.teardown(gw.close)
  const parse = JSON.parse
  let parses = 0
  JSON.parse = ((text: string, reviver?: Parameters<typeof JSON.parse>[1]) => {
    if (text === cre) parses++
    return parse(text, reviver) as unknown
  }) as typeof JSON.parse
  t.teardown(() => { JSON.parse = parse })
  const res = await gw.gateway.app.inject({ method: 'POST', url: '/ecole/api/v1/demandes', payload: cre, headers: { 'idempotency-key': randomUUID(), 'content-type': 'application/json' } })
  JSON.parse = parse
  t.equal(res.statusCode, 504, 'sent (then the upstream timed out): the fingerprint and the message were both made')
  t.equal(upstream.calls.length, 1)
  t.equal(parses, 1)
})

t.test('a body that does not parse is a 400 that records nothing: the same key gets its 400 again, nothing is sent', async (t) => {
  const upstream = new FakeUpstream([])
  const gw = await unitGateway(() => {}, { createDispatcher: () => upstream, clock: () => NOW })
  t.teardown(gw.close)
  const key = randomUUID()
  const bad = await gw.gateway.app.inject({ method: 'POST', url: '/ecole/api/v1/demandes', payload: '{"numGuichet": ', headers: { 'idempotency-key': key, 'content-type': 'application/json' } })
  t.equal(bad.statusCode, 400)
  t.match(bad.json(), { code: 'GW_REST_INVALID_JSON' })
  const empty = await gw.gateway.app.inject({ method: 'POST', url: '/ecole/api/v1/demandes', headers: { 'idempotency-key': key, 'content-type': 'application/json' } })
  t.equal(empty.statusCode, 400)
  t.match(empty.json(), { code: 'GW_REST_INVALID_JSON' })
  t.equal(upstream.calls.length, 0)
})
