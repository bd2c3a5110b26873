// The examples make a live demande on any date: npm start writes copies of them dated the day
// before (certs/examples/). Sent as they are years later, they make an expired demande.
import t from 'tap'
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { DATED_FOLDERS, datedExample, writeDatedExamples } from '../../src/contract/dated-examples.js'
import { defaultSpecDir, loadSpec } from '../../src/contract/index.js'
import { createDemandeService } from '../../src/simulator/demande-service.js'
import { createSoapHandler } from '../../src/simulator/soap-handler.js'
import { openStore } from '../../src/simulator/store.js'
import { readAnswer, textAt } from '../simulator/helpers/messages.js'
import { getNumUnique } from '../fixtures/corpus-kit.js'

const examples = fileURLToPath(new URL('../../examples/', import.meta.url))
const read = (path: string): Buffer => readFileSync(join(examples, path))
// years after the examples' dates, and after today
const NOW = new Date('2031-06-15T06:40:00.000Z')
const TODAY = '2031-06-15'
const YESTERDAY = '2031-06-14'
const spec = await loadSpec({ dir: defaultSpecDir(), clock: () => NOW })
t.teardown(() => spec.dispose())

interface Sent { contentType: string, body: Buffer }
const inline = (document: Buffer): Sent => {
  const built = getNumUnique(document, 'inline')
  return { contentType: built.contentType, body: built.message }
}
/** Every example that creates a demande, as a message to send, built by `date` from the example files. */
function creations (date: (b: Buffer) => Buffer): Array<[string, Sent]> {
  return [
    ['requests/getNumUnique-CRE.mtom', { contentType: read('requests/getNumUnique-CRE.content-type').toString('utf8').trim(), body: date(read('requests/getNumUnique-CRE.mtom')) }],
    ['envelopes/getNumUnique-inline.xml', { contentType: 'application/soap+xml; charset=utf-8', body: date(read('envelopes/getNumUnique-inline.xml')) }],
    ['documents/cre.xml', inline(date(read('documents/cre.xml')))],
    ['documents/crs.xml', inline(date(read('documents/crs.xml')))],
    ['documents/cre-v0200.xml', inline(date(read('documents/cre-v0200.xml')))]
  ]
}

/** Sends `creation`, then the declarationNouveauDalo example on the demande it made, to one simulator on the clock NOW. */
function lifeOf (creation: Sent, date: (b: Buffer) => Buffer): { validUntil: string | undefined, anomalies: string[], dalo: string[] } {
  const store = openStore()
  try {
    const handler = createSoapHandler({ spec, service: createDemandeService({ store, clock: () => NOW, answerVersion: '02.01' }) })
    const created = handler.handle(creation.body, creation.contentType, undefined)
    const answer = readAnswer(created.contentType, created.body)
    const nu = answer.nu ?? 'none'
    // the example's numéro unique is replaced by the one the simulator allocated (same length)
    const declaration = Buffer.from(date(read('requests/declarationNouveauDalo.mtom')).toString('latin1').replace('1110125004242G1226', nu), 'latin1')
    const dalo = handler.handle(declaration, read('requests/declarationNouveauDalo.content-type').toString('utf8').trim(), undefined)
    return { validUntil: textAt(answer.demande, 'dateFinValidite'), anomalies: answer.anomalies, dalo: readAnswer(dalo.contentType, dalo.body).anomalies }
  } finally {
    store.close()
  }
}

t.test('sent as they are years later, the example creations make an expired demande, and DALO is refused', async (t) => {
  for (const [name, creation] of creations((b) => b)) {
    const life = lifeOf(creation, (b) => b)
    t.ok(life.validUntil !== undefined && life.validUntil < TODAY, `${name}: valid until ${life.validUntil ?? '?'}`)
    t.not(life.dalo.length, 0, `${name}: DALO refused (${life.dalo.join(', ')})`)
  }
})

t.test('dated copies: each example creation validates, makes a live demande, and takes a DALO declaration', async (t) => {
  const date = (b: Buffer): Buffer => datedExample(b, NOW)
  for (const [name, creation] of creations(date)) {
    t.same(spec.validateMessage(creation.body, creation.contentType).violations, [], `${name}: valid on the day`)
    const life = lifeOf(creation, date)
    t.same(life.anomalies, [], `${name}: created`)
    t.equal(life.validUntil, '2032-06-14', `${name}: valid one year from yesterday`)
    t.same(life.dalo, [], `${name}: the DALO declaration is accepted`)
  }
})

t.test('a file moves as a whole: its latest date of an event is yesterday, gaps kept, birth dates stay', async (t) => {
  const cre = datedExample(read('documents/cre.xml'), NOW).toString('utf8')
  t.match(cre, `<ns1:dateCreationDemande>${YESTERDAY}</ns1:dateCreationDemande>`)
  t.match(cre, `<ns1:dateFichier>${YESTERDAY}T10:32:07.512+01:00</ns1:dateFichier>`)
  t.match(cre, '<ns1:dateDecisionDalo>2031-04-28</ns1:dateDecisionDalo>', 'the DALO decision still 47 days before the creation')
  t.match(cre, '<ns1:dateNaissance>1985-01-20</ns1:dateNaissance>')
  t.match(cre, '<ns1:dateNaissance>2015-06-02</ns1:dateNaissance>')
  const request = datedExample(read('requests/getNumUnique-CRE.mtom'), NOW).toString('latin1')
  t.match(request, 'DEMG1226-203106141032-000000.xml', 'the file name\'s stamp')
  t.equal(request.length, read('requests/getNumUnique-CRE.mtom').length, 'same length: the parts need no new lengths')
  const json = JSON.parse(datedExample(read('rest/demande-cre.json'), NOW).toString('utf8')) as Record<string, unknown>
  t.match(JSON.stringify(json), `"dateCreationDemande":"${YESTERDAY}"`, 'the REST sample too')
  t.same(datedExample(read('documents/reponse-doublons.xml'), new Date('2025-12-16T00:00:00Z')).length, read('documents/reponse-doublons.xml').length)
})

t.test('npm start\'s copies: every example file, the same layout', async (t) => {
  const dir = t.testdir({})
  const count = await writeDatedExamples(examples, dir, NOW)
  let expected = 0
  for (const folder of DATED_FOLDERS) {
    for (const name of readdirSync(join(examples, folder)).filter((n) => n !== 'README.md')) {
      expected++
      t.same(readFileSync(join(dir, folder, name)), datedExample(read(join(folder, name)), NOW), `${folder}/${name}`)
    }
  }
  t.equal(count, expected)
  t.ok(count >= 30)
})
