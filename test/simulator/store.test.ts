import t, { type Test } from 'tap'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { type DemandeRecord, openStore } from '../../src/simulator/store.js'

function record (nu: string, overrides: Partial<DemandeRecord> = {}): DemandeRecord {
  return {
    nu,
    guichet: 'G1226',
    status: 'ACTIVE',
    versionInterface: '02.01',
    createdOn: '2025-01-14',
    renewedOn: undefined,
    validUntil: '2026-01-14',
    complete: true,
    radiationMotif: undefined,
    radiatedAt: undefined,
    daloStatut: undefined,
    daloDeclaredAt: undefined,
    content: { name: 'demandeLogement', children: [{ name: 'numUnique', text: nu }] },
    updatedAt: '2025-01-14T10:00:00.000Z',
    ...overrides
  }
}

function tempDir (t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'sim-store-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

t.test('sequences count per territory and period', async (t) => {
  const store = openStore()
  t.teardown(() => store.close())
  t.equal(store.persistent, false)
  t.equal(store.nextSequence('075', '0125'), 1)
  t.equal(store.nextSequence('075', '0125'), 2)
  t.equal(store.nextSequence('075', '0225'), 1, 'a new month starts again')
  t.equal(store.nextSequence('093', '0125'), 1, 'another territory has its own sequence')
  t.equal(store.nextSequence('075', '0125'), 3)
})

t.test('a rolled-back transaction takes its sequence number back', async (t) => {
  const store = openStore()
  t.teardown(() => store.close())
  t.throws(() => store.transaction(() => {
    store.nextSequence('075', '0125')
    throw new Error('refused')
  }), /refused/)
  t.equal(store.nextSequence('075', '0125'), 1)
})

t.test('records, events and persons', async (t) => {
  const store = openStore()
  t.teardown(() => store.close())
  const a = record('075012500000 1G1226'.replace(' ', ''))
  store.insert(a, [{ role: 'demandeur', nom: 'Nom', prenom: 'Prénom', dateNaissance: '1980-01-01', key: 'NOM|PRENOM|1980-01-01' }])
  t.same(store.get(a.nu), a, 'reads back what it stored, content included')
  t.equal(store.get('nope'), undefined)
  store.addEvent(a.nu, { code: 'EVT_CREATION', at: '2025-01-14T10:00:00.000Z', guichet: 'G1226' })
  store.addEvent(a.nu, { code: 'EVT_VALIDATION', at: '2025-01-14T10:00:00.000Z', guichet: 'G1226' })
  t.same(store.events(a.nu).map((e) => e.code), ['EVT_CREATION', 'EVT_VALIDATION'], 'in recording order')
  t.same(store.findPersons(['NOM|PRENOM|1980-01-01']).map((p) => [p.nu, p.nom, p.guichet]), [[a.nu, 'Nom', 'G1226']])
  t.same(store.findPersons([]), [])
  store.update({ ...a, status: 'SUPPRIMEE' })
  t.same(store.findPersons(['NOM|PRENOM|1980-01-01']), [], 'a deleted demande is no candidate')
  store.update({ ...a, status: 'ACTIVE' }, [])
  t.same(store.findPersons(['NOM|PRENOM|1980-01-01']), [], 'persons replaced when given')
  store.purge(a.nu)
  t.equal(store.get(a.nu), undefined)
  t.same(store.events(a.nu), [], 'events go with the demande')
})

t.test('queries by date', async (t) => {
  const store = openStore()
  t.teardown(() => store.close())
  store.insert(record('A', { status: 'RADIEE', radiationMotif: 'RADABA', radiatedAt: '2025-03-01T00:00:00.000Z' }), [])
  store.insert(record('B', { status: 'RADIEE', radiationMotif: 'RADCON', radiatedAt: '2025-02-01T00:00:00.000Z' }), [])
  store.insert(record('C', { validUntil: '2025-01-10', daloStatut: 'ACTIF', daloDeclaredAt: '2025-02-15T00:00:00.000Z' }), [])
  store.insert(record('D', { daloStatut: 'NON', daloDeclaredAt: '2025-02-15T00:00:00.000Z' }), [])
  t.same(store.radiatedSince('2025-02-01T00:00:00.000Z').map((r) => r.nu), ['B', 'A'], 'oldest first, bound included')
  t.same(store.radiatedSince('2025-02-01T00:00:00.001Z').map((r) => r.nu), ['A'])
  t.same(store.daloSince('2025-01-01T00:00:00.000Z').map((r) => r.nu), ['C'], 'ACTIF only')
  t.same(store.activeExpiredBefore('2025-01-11'), ['C'])
  t.same(store.activeExpiredBefore('2025-01-10'), [])
  t.same(store.radiatedBefore('2025-02-15T00:00:00.000Z'), ['B'])
  t.same(store.counts(), { ACTIVE: 2, RADIEE: 2, SUPPRIMEE: 0 })
})

t.test('a data file persists, in WAL mode with synchronous FULL', async (t) => {
  const file = join(tempDir(t), 'sim.sqlite')
  const first = openStore({ file })
  t.equal(first.persistent, true)
  first.transaction(() => {
    first.nextSequence('075', '0125')
    first.insert(record('A'), [])
  })
  first.close()
  const db = new Database(file)
  t.equal(db.pragma('journal_mode', { simple: true }), 'wal')
  db.close()
  const second = openStore({ file })
  t.teardown(() => second.close())
  t.equal(second.get('A')?.nu, 'A')
  t.equal(second.nextSequence('075', '0125'), 2, 'the sequence continues after a restart')
})

t.test('a data file of another schema version is refused', async (t) => {
  const file = join(tempDir(t), 'future.sqlite')
  const db = new Database(file)
  db.pragma('user_version = 99')
  db.close()
  t.throws(() => openStore({ file }), { code: 'GW_SIM_STORE_VERSION' })
})

t.test('an unusable data file is a GW_SIM_STORE_UNAVAILABLE error', async (t) => {
  t.throws(() => openStore({ file: join(tempDir(t), 'missing-dir', 'x.sqlite') }), { code: 'GW_SIM_STORE_UNAVAILABLE' })
})
