// Edge cases of the service that the spec's rules normally stop first, or that need a
// doctored store: the service keeps its own guard for each.
import t, { type Test } from 'tap'
import { createDemandeService } from '../../src/simulator/demande-service.js'
import { fromElement } from '../../src/simulator/demande-tree.js'
import { openStore, type SimulatorStore } from '../../src/simulator/store.js'
import { parseXml } from '../../src/soap/xml-reader.js'
import { demandeDocument } from './helpers/messages.js'

const now = new Date('2024-01-10T09:00:00.000Z')

function service (t: Test, wrap: (s: SimulatorStore) => SimulatorStore = (s) => s): ReturnType<typeof createDemandeService> {
  const store = openStore()
  t.teardown(() => store.close())
  return createDemandeService({ store: wrap(store), clock: () => now, answerVersion: '02.01' })
}

const doc = (xml: string): ReturnType<typeof fromElement> => fromElement(parseXml(Buffer.from(xml)).root)

t.test('a territory and month whose 999 999 numbers are used up', async (t) => {
  const s = service(t, (store) => ({ ...store, nextSequence: () => 1_000_000 }))
  const res = s.submit(doc(demandeDocument()))
  t.same(res.anomalies, ['CTRL_DEM_0007'])
  t.match(res.xml, 'Plus aucun numéro unique disponible pour le territoire 075 et la période 0124.')
})

t.test('a file with two demandes', async (t) => {
  const xml = demandeDocument().replace(/(<ns1:demande>[\s\S]*<\/ns1:demande>)/, '$1$1')
  const res = service(t).submit(doc(xml))
  t.same(res.anomalies, ['CTRL_DEM_0021'])
  t.equal(res.nu, undefined)
})

t.test('guards that stand behind the spec rules', async (t) => {
  const s = service(t)
  t.same(s.submit(doc(demandeDocument({ dateCreation: '2024-01-11' }))).anomalies, ['CTRL_DEM_0008'], 'at 09:00 UTC it is the 10th everywhere on Earth')
  const store = openStore()
  t.teardown(() => store.close())
  const later = createDemandeService({ store, clock: () => new Date('2024-01-10T11:00:00.000Z'), answerVersion: '02.01' })
  t.same(later.submit(doc(demandeDocument({ dateCreation: '2024-01-11' }))).anomalies, [], 'at 11:00 UTC it is already the 11th in UTC+14')
  const nu = s.submit(doc(demandeDocument())).nu!
  t.same(s.submit(doc(demandeDocument({ typeFichier: 'RAD', nu, radiation: { motif: 'RADIRR' } }))).anomalies, ['CTRL_DEM_0016'])
  t.same(s.submit(doc(demandeDocument({ typeFichier: 'RAD', nu, radiation: { motif: 'RADATT' } }))).anomalies, ['CTRL_DEM_0017'])
  t.same(s.submit(doc(demandeDocument({ typeFichier: 'MOD' }))).anomalies, ['CTRL_DEM_0004'])
  t.same(s.submit(doc(demandeDocument({ typeFichier: 'MOD', nu, events: [{ code: 'EVT_VISITE_PROPOSEE', date: '2024-01-10T09:06:00Z' }] }))).anomalies, ['CTRL_DEM_0008'], 'an event more than five minutes ahead')
  t.same(s.submit(doc(demandeDocument({ typeFichier: 'MOD', nu, events: [{ code: 'EVT_VISITE_PROPOSEE', date: '2024-01-10T09:04:00Z' }] }))).anomalies, [], 'within the clock tolerance')
})

t.test('"depuis le" bounds outside years 0000–9999', async (t) => {
  const s = service(t)
  const nu = s.submit(doc(demandeDocument())).nu!
  s.submit(doc(demandeDocument({ typeFichier: 'RAD', nu, radiation: { motif: 'RADABA' } })))
  t.match(s.radiatedSince('-0001-01-01T00:00:00Z').xml, nu, 'before everything')
  t.notMatch(s.radiatedSince('10000-01-01T00:00:00Z').xml, nu, 'after everything')
})

t.test('the sweep before a "depuis le" query erases what is due, without a read first', async (t) => {
  let clock = new Date('2024-01-10T09:00:00.000Z')
  const store = openStore()
  t.teardown(() => store.close())
  const s = createDemandeService({ store, clock: () => clock, answerVersion: '02.01' })
  const nu = s.submit(doc(demandeDocument())).nu!
  s.submit(doc(demandeDocument({ typeFichier: 'RAD', nu, radiation: { motif: 'RADABA' } })))
  clock = new Date('2025-01-09T09:00:00.000Z')
  t.match(s.radiatedSince('2024-01-01T00:00:00Z').xml, nu, 'kept for a year')
  clock = new Date('2025-01-10T09:00:00.000Z')
  t.notMatch(s.radiatedSince('2024-01-01T00:00:00Z').xml, nu, 'then erased')
  t.equal(store.get(nu), undefined)
})
