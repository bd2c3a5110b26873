// The HTTP side of the simulator with inject() (no sockets): media types, paths, the published
// WSDL's address, and logs that never carry a body or personal data.
import t, { type Test } from 'tap'
import { Writable } from 'node:stream'
import { pino } from 'pino'
import { buildSimulator, type Simulator } from '../../src/simulator/index.js'
import { serializers } from '../../src/observability/logger.js'
import { demandeDocument, demandeLogementRequest, movableClock, numUniqueRequest, readAnswer, testSpec } from './helpers/messages.js'
import { tlsMaterial } from './helpers/server.js'

const time = movableClock('2024-01-10T09:00:00.000Z')
const spec = await testSpec(time.clock)
t.teardown(() => spec.dispose())

async function build (t: Test, lines?: string[], publicUrl?: string): Promise<Simulator> {
  const { cert, key, ca } = await tlsMaterial()
  const logger = lines === undefined
    ? undefined
    : pino({ level: 'debug', serializers }, new Writable({ write (chunk: Buffer, _enc, done) { lines.push(chunk.toString()); done() } }))
  const sim = await buildSimulator({ tls: { cert, key, ca }, ...(publicUrl === undefined ? {} : { publicUrl }) }, { spec, clock: time.clock, ...(logger === undefined ? {} : { logger }) })
  t.teardown(async () => { await sim.close() })
  return sim
}

t.test('logs name the operation and outcome, never a body or personal data', async (t) => {
  const lines: string[] = []
  const sim = await build(t, lines)
  const person = { nom: 'ZYGOMATIQUE', prenom: 'Perceval', dateNaissance: '1977-07-17' }
  const cre = numUniqueRequest(demandeDocument({ demandeur: person }))
  const res = await sim.app.inject({ method: 'POST', url: '/services/DemandeLogementImplService/', headers: { 'content-type': cre.contentType }, payload: cre.body })
  t.equal(res.statusCode, 200)
  const nu = readAnswer(String(res.headers['content-type']), res.rawPayload).nu!
  const read = demandeLogementRequest(nu)
  await sim.app.inject({ method: 'POST', url: '/services/DemandeLogementImplService/', headers: { 'content-type': read.contentType }, payload: read.body })
  const all = lines.join('')
  t.match(all, '"operation":"getNumUnique"')
  t.match(all, '"typeFichier":"CRE"')
  t.match(all, '"outcome":"answer"')
  for (const secret of [person.nom, person.prenom, person.dateNaissance, nu, 'rue de l', '75013', 'interfaceNuu']) {
    t.notOk(all.includes(secret), `no ${secret} in the logs`)
  }
})

t.test('media types, paths and methods', async (t) => {
  const sim = await build(t)
  const cre = numUniqueRequest(demandeDocument())
  const noSlash = await sim.app.inject({ method: 'POST', url: '/services/DemandeLogementImplService', headers: { 'content-type': cre.contentType }, payload: cre.body })
  t.equal(noSlash.statusCode, 200, 'the trailing slash is optional')
  const json = await sim.app.inject({ method: 'POST', url: '/services/DemandeLogementImplService/', headers: { 'content-type': 'application/json' }, payload: '{}' })
  t.equal(json.statusCode, 415)
  t.match(json.body, 'GW_SOAP_UNSUPPORTED_MEDIA_TYPE')
  const none = await sim.app.inject({ method: 'POST', url: '/services/DemandeLogementImplService/', payload: Buffer.from('<x/>') })
  t.equal(none.statusCode >= 400 && none.statusCode < 500, true, `no content type: a client error (${none.statusCode})`)
  const get = await sim.app.inject({ method: 'GET', url: '/services/DemandeLogementImplService/', headers: { host: 'sim.example:8444' } })
  t.equal(get.statusCode, 200)
  t.match(get.body, 'https://sim.example:8444/services/DemandeLogementImplService/?wsdl')
  t.equal((await sim.app.inject({ method: 'GET', url: '/elsewhere' })).statusCode, 404)
})

t.test('the WSDL address comes from the Host header, a hostile one is not written', async (t) => {
  const sim = await build(t)
  const wsdl = async (host: string): Promise<string> => (await sim.app.inject({ method: 'GET', url: '/services/DemandeLogementImplService/?wsdl', headers: { host } })).body
  t.match(await wsdl('sne.example:9443'), 'location="https://sne.example:9443/services/DemandeLogementImplService/"')
  t.match(await wsdl('[::1]:9443'), 'location="https://[::1]:9443/services/DemandeLogementImplService/"')
  const hostile = await wsdl('evil"/><x a="')
  t.notMatch(hostile, 'evil')
  t.match(hostile, 'location="https://localhost/services/DemandeLogementImplService/"')
})

t.test('publicUrl overrides the Host header', async (t) => {
  const sim = await build(t, undefined, 'https://sne-ecole.example/')
  const body = (await sim.app.inject({ method: 'GET', url: '/services/DemandeLogementImplService/?wsdl', headers: { host: 'other:1' } })).body
  t.match(body, 'location="https://sne-ecole.example/services/DemandeLogementImplService/"')
  t.match(body, /schemaLocation="https:\/\/sne-ecole\.example\/services\/DemandeLogementImplService\/\?xsd=DemandeLogementImplService_schema1\.xsd"/)
  t.notMatch(body, 'other:1')
})
