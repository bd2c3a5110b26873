// The simulator over real TLS with a client certificate: the lifecycle end to end, the refused
// connections, concurrency, WSDL publication and persistence across a restart.
import t from 'tap'
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import tls from 'node:tls'
import { promisify } from 'node:util'
import { Agent, request } from 'undici'
import { parseXml } from '../../src/soap/xml-reader.js'
import {
  codeAt, demandeDocument, demandeLogementRequest, movableClock, numUniqueRequest, readAnswer, testSpec, textAt, at
} from '../simulator/helpers/messages.js'
import { startSimulator, tlsMaterial } from '../simulator/helpers/server.js'

function answerOf (res: { contentType: string, body: Buffer }): ReturnType<typeof readAnswer> {
  return readAnswer(res.contentType, res.body)
}

const time = movableClock('2024-01-10T09:00:00.000Z')
const spec = await testSpec(time.clock)
t.teardown(() => spec.dispose())

t.test('CRE → MOD → REN → RAD → réactivation over TLS, and the refused steps', async (t) => {
  time.set('2024-01-10T09:00:00.000Z')
  const s = await startSimulator(t, spec, {}, { clock: time.clock })
  const call = async (doc: string): Promise<ReturnType<typeof readAnswer>> => {
    const res = await s.post(numUniqueRequest(doc))
    t.equal(res.statusCode, 200)
    return readAnswer(res.contentType, res.body)
  }
  const created = await call(demandeDocument())
  const nu = created.nu!
  t.match(nu, /^0750124000001G1226$/)
  t.same(created.events, ['EVT_CREATION', 'EVT_VALIDATION'])

  time.set('2024-05-02T10:00:00.000Z')
  const modified = await call(demandeDocument({ typeFichier: 'MOD', nu, communes: ['93066'] }))
  t.equal(modified.nu, nu, 'MOD keeps the numéro unique even when the first commune changes')
  t.same(modified.anomalies, [])

  time.set('2024-12-15T10:00:00.000Z')
  const renewed = await call(demandeDocument({ typeFichier: 'REN', nu }))
  t.equal(textAt(renewed.demande, 'dateFinValidite'), '2025-12-15')

  time.set('2025-01-05T10:00:00.000Z')
  const radiated = await call(demandeDocument({ typeFichier: 'RAD', nu, radiation: { motif: 'RADCON' } }))
  t.equal(codeAt(radiated.demande, 'radiation', 'motif'), 'RADCON')
  t.same((await call(demandeDocument({ typeFichier: 'MOD', nu }))).anomalies, ['CTRL_DEM_0009'], 'refused: MOD of a radiated demande')

  time.set('2025-06-05T10:00:00.000Z')
  const back = await call(demandeDocument({ typeFichier: 'RAD', nu, radiation: { motif: '' } }))
  t.same(back.anomalies, [])
  t.equal(at(back.demande, 'radiation'), undefined)
  t.same(back.events, ['EVT_CREATION', 'EVT_VALIDATION', 'EVT_VALIDATION', 'EVT_RADIATION', 'EVT_REACTIVATION'])

  time.set('2025-06-06T10:00:00.000Z')
  await call(demandeDocument({ typeFichier: 'RAD', nu, radiation: { motif: 'RADCON' } }))
  time.set('2025-11-07T10:00:00.000Z')
  t.same((await call(demandeDocument({ typeFichier: 'RAD', nu, radiation: { motif: '' } }))).anomalies, ['CTRL_DEM_0012'], 'refused: réactivation after its window')

  const read = await s.post(demandeLogementRequest(nu))
  t.equal(codeAt(readAnswer(read.contentType, read.body).demande, 'radiation', 'motif'), 'RADCON', 'getDemandeLogement reads the current state')
  const stats = await s.admin('GET', '/stats')
  t.match(stats.json, { total: 9, calls: { getNumUnique: { answer: 6, anomaly: 2 }, getDemandeLogement: { answer: 1 } }, demandes: { RADIEE: 1 } })
  // Each call is recorded with the TLS client certificate it came with: the test PKI's client.
  const { calls } = (await s.admin('GET', '/calls')).json as { calls: Array<{ seq: number, operation: string, outcome: string, client?: { cn?: string, fingerprint256: string } }> }
  t.equal(calls.length, 9)
  t.same(calls.map((c) => c.seq), [1, 2, 3, 4, 5, 6, 7, 8, 9])
  t.match(calls.at(-1), { operation: 'getDemandeLogement', outcome: 'answer', client: { cn: 'G1226', fingerprint256: /^[0-9A-F]{2}(:[0-9A-F]{2}){31}$/ } })
})

t.test('connections that do not present an acceptable client certificate are refused', async (t) => {
  const s = await startSimulator(t, spec)
  const { ca } = await tlsMaterial()
  const port = new URL(s.url).port
  const noCert = new Agent({ connect: { ca, servername: 'localhost' } })
  t.teardown(async () => { await noCert.close() })
  await t.rejects(request(s.url, { dispatcher: noCert, method: 'POST', headers: { 'content-type': 'application/soap+xml' }, body: 'x' }), 'no client certificate')

  const dir = mkdtempSync(join(tmpdir(), 'sim-other-ca-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  await promisify(execFile)('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
    '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem'), '-days', '2', '-subj', '/CN=G9999'])
  const otherCa = new Agent({ connect: { ca, servername: 'localhost', cert: readFileSync(join(dir, 'c.pem')), key: readFileSync(join(dir, 'k.pem')) } })
  t.teardown(async () => { await otherCa.close() })
  await t.rejects(request(`${s.url}?wsdl`, { dispatcher: otherCa }), 'a certificate of another CA')

  const { clientCert, clientKey } = await tlsMaterial()
  const oldTls = await new Promise<string>((resolve) => {
    const socket = tls.connect({ host: '127.0.0.1', port: Number(port), ca, cert: clientCert, key: clientKey, servername: 'localhost', maxVersion: 'TLSv1.1', minVersion: 'TLSv1' })
    socket.on('secureConnect', () => { socket.destroy(); resolve('connected') })
    socket.on('error', (err: NodeJS.ErrnoException) => { resolve(err.code ?? 'error') })
  })
  t.not(oldTls, 'connected', `TLS 1.1 refused (${oldTls})`)
  t.equal(((await s.admin('GET', '/stats')).json as { total: number }).total, 0, 'nothing reached the service')
})

t.test('100 parallel creations get 100 distinct numéros uniques', async (t) => {
  time.set('2024-01-10T09:00:00.000Z')
  const s = await startSimulator(t, spec, {}, { clock: time.clock })
  const answers = await Promise.all(Array.from({ length: 100 }, async () => {
    const res = await s.post(numUniqueRequest(demandeDocument()))
    return readAnswer(res.contentType, res.body).nu
  }))
  const distinct = new Set(answers)
  t.equal(distinct.size, 100)
  t.notOk(answers.includes(undefined))
  const sequences = [...distinct].map((nu) => Number(nu!.slice(7, 13))).sort((a, b) => a - b)
  t.same(sequences, Array.from({ length: 100 }, (_, i) => i + 1), 'sequence numbers 1…100, no gap, no repeat')
})

t.test('the WSDL and its schemas are served with the simulator\'s own addresses', async (t) => {
  const s = await startSimulator(t, spec)
  const get = async (query: string): Promise<{ statusCode: number, text: string }> => {
    const res = await request(`${s.url}${query}`, { dispatcher: s.agent })
    return { statusCode: res.statusCode, text: await res.body.text() }
  }
  const wsdl = await get('?wsdl')
  t.equal(wsdl.statusCode, 200)
  const port = new URL(s.url).port
  t.match(wsdl.text, `location="https://127.0.0.1:${port}/services/DemandeLogementImplService/"`, 'soap12:address rewritten')
  const locations = [...wsdl.text.matchAll(/schemaLocation="([^"]+)"/g)].map((m) => m[1]!)
  t.ok(locations.length > 0)
  for (const location of locations) {
    t.match(location, new RegExp(`^https://127\\.0\\.0\\.1:${port}/services/DemandeLogementImplService/\\?xsd=`))
    const xsd = await request(location.replace(/&amp;/g, '&'), { dispatcher: s.agent })
    t.equal(xsd.statusCode, 200, location)
    parseXml(Buffer.from(await xsd.body.arrayBuffer()), { maxSize: 64 * 1024 * 1024, maxNamespaces: 1000, maxElements: 1_000_000, maxDepth: 256, maxAttributes: 1000 })
  }
  t.equal((await get('?xsd=nope.xsd')).statusCode, 404)
  t.equal((await get('?xsd=../package.json')).statusCode, 404, 'only spec files')
})

t.test('a data file keeps the demandes and the sequences across a restart', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sim-data-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const dataFile = join(dir, 'sim.sqlite')
  time.set('2024-01-10T09:00:00.000Z')
  const first = await startSimulator(t, spec, { dataFile }, { clock: time.clock })
  const created = answerOf(await first.post(numUniqueRequest(demandeDocument()))).nu!
  await first.sim.close()
  const second = await startSimulator(t, spec, { dataFile }, { clock: time.clock })
  const read = await second.post(demandeLogementRequest(created))
  const answer = readAnswer(read.contentType, read.body)
  t.equal(answer.nu, created)
  t.same(answer.events, ['EVT_CREATION', 'EVT_VALIDATION'])
  const next = answerOf(await second.post(numUniqueRequest(demandeDocument()))).nu!
  t.equal(next, '0750124000002G1226', 'the sequence continued')
})

t.test('--seed fills an empty store, and only an empty one', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sim-seed-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const dataFile = join(dir, 'seeded.sqlite')
  time.set('2025-06-01T09:00:00.000Z')
  const first = await startSimulator(t, spec, { seed: 40, seedRandom: 7, dataFile }, { clock: time.clock })
  const stats = (await first.admin('GET', '/stats')).json as { demandes: Record<string, number> }
  t.equal(stats.demandes.ACTIVE! + stats.demandes.RADIEE!, 40)
  t.ok(stats.demandes.RADIEE! > 0, 'some are old enough to be radiated for non-renewal')
  await first.sim.close()
  const second = await startSimulator(t, spec, { seed: 40, seedRandom: 7, dataFile }, { clock: time.clock })
  const again = (await second.admin('GET', '/stats')).json as { demandes: Record<string, number> }
  t.equal(again.demandes.ACTIVE! + again.demandes.RADIEE!, 40, 'a restart does not seed again')
})
