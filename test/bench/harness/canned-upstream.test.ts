import { once } from 'node:events'
import { mkdtempSync, rmSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { createCannedUpstream, loadAnswers, requestAction, saveAnswers, STATS_PATH, type RecordedAnswer } from '../../../bench/harness/canned-upstream.js'
import { faultSummary, getJson, postOnce } from '../../../bench/harness/post-once.js'
import { testPki } from '../../helpers/pki.js'

const PATH = '/services/DemandeLogementImplService/'
const answers: RecordedAnswer[] = [
  { action: 'urn:a', statusCode: 200, contentType: 'multipart/related; boundary=x', body: Buffer.from('answer A \u0000 bytes') },
  { action: 'urn:b', statusCode: 500, contentType: 'application/soap+xml', body: Buffer.from('answer B') }
]

t.test('requestAction: content type action first, SOAPAction otherwise', async (t) => {
  t.equal(requestAction('application/soap+xml; action="urn:x"', '"urn:y"'), 'urn:x')
  t.equal(requestAction('text/xml', '"urn:y"'), 'urn:y')
  t.equal(requestAction('not a content type', 'urn:z'), 'urn:z')
  t.equal(requestAction(undefined, undefined), '')
})

t.test('answers survive the trip through the disk', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-answers-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  await saveAnswers(dir, answers)
  t.same(await loadAnswers(dir), answers)
})

t.test('replays the recorded bytes by action over TLS, with or without a client certificate', async (t) => {
  const pki = await testPki()
  const [cert, key, ca, ucert, ukey] = await Promise.all([pki.simulator.cert, pki.simulator.key, pki.ca.cert, pki.upstreamClient.cert, pki.upstreamClient.key].map(async (f) => await readFile(f)))
  const server = createCannedUpstream({ tls: { cert: cert!, key: key!, ca: ca! }, answers, path: PATH })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.teardown(() => { server.closeAllConnections(); server.close() })
  const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}${PATH}`
  const body = Buffer.alloc(256 * 1024, 0x41)

  const a = await postOnce(url, { contentType: 'multipart/related; boundary=q; action="urn:a"', body }, { ca: ca! })
  t.equal(a.statusCode, 200)
  t.equal(a.contentType, answers[0]!.contentType)
  t.same(a.body, answers[0]!.body, 'byte for byte')
  const b = await postOnce(url, { contentType: 'application/soap+xml; action="urn:b"', body }, { ca: ca!, cert: ucert!, key: ukey! })
  t.equal(b.statusCode, 500, 'status replayed too; a client certificate is accepted')
  const unknown = await postOnce(url, { contentType: 'application/soap+xml; action="urn:c"', body }, { ca: ca! })
  t.equal(unknown.statusCode, 404, 'no answer recorded for the action')
  const elsewhere = await postOnce(url.replace(PATH, '/other/'), { contentType: 'application/soap+xml; action="urn:a"', body }, { ca: ca! })
  t.equal(elsewhere.statusCode, 404, 'other paths are not the service')
  const stats = await getJson(url.replace(PATH, STATS_PATH), { ca: ca! })
  t.same(stats, { connections: 5, requests: 2 }, 'one connection per postOnce and this GET; calls answered from a recording')
})

t.test('faultSummary', async (t) => {
  const fault = '<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Body><env:Fault><env:Code><env:Value>env:Sender</env:Value><env:Subcode><env:Value>gw:GW_SCHEMA_INVALID</env:Value></env:Subcode></env:Code><env:Reason><env:Text xml:lang="en">The message is invalid</env:Text></env:Reason></env:Fault></env:Body></env:Envelope>'
  t.equal(faultSummary(Buffer.from(fault)), 'gw:GW_SCHEMA_INVALID: The message is invalid')
  t.equal(faultSummary(Buffer.from('<ok/>')), undefined)
})
