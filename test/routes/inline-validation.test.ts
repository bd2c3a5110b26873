// With validation workers, a message under `validation.inlineBelow` is validated on the event loop
// (no worker round trip) and a bigger one by a worker, through the gateway: same refusals either
// way, counted by the checker.
import t from 'tap'
import { SERVICE, UPSTREAM_PATH, unitGateway } from './helpers/unit-gateway.js'
import { edited, exampleDocument, exampleEnvelope, mtom, type Built } from '../fixtures/corpus-kit.js'

const ANSWER = Buffer.from('--MIME_BOUNDARY\r\nContent-Type: application/xop+xml\r\n\r\n<answer/>\r\n--MIME_BOUNDARY--\r\n')
const ANSWER_TYPE = 'multipart/related; type="application/xop+xml"; boundary="MIME_BOUNDARY"'

/** The CRE (its document edited by `pairs`) with a certificate attachment of `certificate` bytes. */
function cre (certificate: number, ...pairs: Array<[string, string]>): Built {
  const doc = Buffer.from(pairs.length === 0 ? exampleDocument('cre') : edited('cre', ...pairs))
  return mtom('getNumUnique', exampleEnvelope('getNumUnique'), { certificate: Buffer.alloc(certificate, 7), xml_id: doc })
}

/** The violations of a Fault, without their messages (values are masked the same way on both threads). */
function violationsOf (fault: string): string[] {
  return [...fault.matchAll(/<gw:violation>.*?<\/gw:violation>/g)].map((m) => m[0].replace(/<gw:message>.*?<\/gw:message>/, ''))
}

t.test('default inlineBelow (16 KiB): small messages on the event loop, big ones by the worker, refused alike', async (t) => {
  const gw = await unitGateway((c) => { c.validation = { workers: 1 } })
  t.teardown(gw.close)
  t.equal(gw.config.validation.inlineBelow, 16384)
  const checked = gw.gateway.checker.checked
  gw.upstream.intercept({ path: UPSTREAM_PATH, method: 'POST' }).reply(200, ANSWER, { headers: { 'content-type': ANSWER_TYPE } }).times(2)
  const post = async (m: Built): Promise<{ statusCode: number, body: string }> => await gw.gateway.app.inject({ method: 'POST', url: SERVICE, payload: m.message, headers: { 'content-type': m.contentType } })

  t.equal((await post(cre(0))).statusCode, 200, 'the 4.6 KB CRE is forwarded')
  t.same(checked, { inline: 1, worker: 0 }, 'validated without a worker round trip')
  t.equal((await post(cre(65536))).statusCode, 200, 'the CRE with a 64 KiB certificate is forwarded')
  t.same(checked, { inline: 1, worker: 1 }, 'validated by the worker')

  const date: [string, string] = ['<ns1:dateNaissance>1985-01-20<', '<ns1:dateNaissance>1985-13-45<']
  const small = await post(cre(0, date))
  const big = await post(cre(65536, date))
  t.same(checked, { inline: 2, worker: 2 })
  t.equal(small.statusCode, big.statusCode)
  t.match(small.body, '<gw:code>GW_SCHEMA_TYPE</gw:code>')
  t.match(small.body, '<gw:path>/interfaceNuu/demande/demandeLogement/personnePhysique/demandeur/dateNaissance</gw:path><gw:line>16</gw:line>')
  t.equal(violationsOf(small.body).length, 1)
  t.same(violationsOf(big.body), violationsOf(small.body), 'the same codes, paths, lines and columns')
  t.notMatch(small.body + big.body, '1985-13-45', 'values masked on both threads')

  const report = await gw.gateway.app.inject({ method: 'POST', url: '/ecole/validate', payload: cre(0, date).message, headers: { 'content-type': cre(0).contentType } })
  t.equal(report.statusCode, 200)
  t.match(report.body, '1985-13-45', 'validate-only quotes the value')
  t.same(checked, { inline: 3, worker: 2 }, 'validate-only: on the event loop too')
})

t.test('inlineBelow 0: every message goes to the worker', async (t) => {
  const gw = await unitGateway((c) => { c.validation = { workers: 1, inlineBelow: 0 } })
  t.teardown(gw.close)
  gw.upstream.intercept({ path: UPSTREAM_PATH, method: 'POST' }).reply(200, ANSWER, { headers: { 'content-type': ANSWER_TYPE } })
  const m = cre(0)
  t.equal((await gw.gateway.app.inject({ method: 'POST', url: SERVICE, payload: m.message, headers: { 'content-type': m.contentType } })).statusCode, 200)
  t.same(gw.gateway.checker.checked, { inline: 0, worker: 1 })
})
