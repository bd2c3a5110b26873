// sne-gateway idempotency: the unknown outcomes of a store, as JSON lines, without a demandeur's
// field; never creates a store; usage errors.
import t from 'tap'
import { existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import idempotency from '../../src/cli/idempotency.js'
import { openSqliteIdempotencyStore } from '../../src/idempotency/sqlite-store.js'
import { reconciliationOf } from '../../src/idempotency/reconciliation.js'

async function run (args: string[], cwd: string): Promise<{ code: number, out: string, err: string }> {
  let out = ''
  let err = ''
  const code = await idempotency(args, { stdout: { write: (s: string) => { out += s } }, stderr: { write: (s: string) => { err += s } }, cwd })
  return { code, out, err }
}

t.test('lists unknown and stopped-while-sent records, oldest first, with no personal data', async (t) => {
  const dir = t.testdir({})
  const file = join(dir, 'keys.sqlite')
  const store = openSqliteIdempotencyStore(file)
  const search = reconciliationOf('G1226', { dateCreationDemande: '2025-01-14', personnePhysique: { demandeur: { nom: 'FICTIF-SECRET', prenom: 'X', dateNaissance: '1985-01-20' } }, logementRecherche: {} })
  const add = async (key: string, createdAt: number, state: 'unknown' | 'sent' | 'done', leaseUntil: number): Promise<void> => {
    await store.begin({ scope: { identity: 'G1226', env: 'ecole', key }, fingerprint: 'f'.repeat(64), state: 'received', sentAt: undefined, attempts: 0, route: 'createDemande', guichet: 'G1226', createdAt, owner: 'o', leaseUntil: 0, reconciliation: search })
    await store.update({ identity: 'G1226', env: 'ecole', key }, 'o', { state, sentAt: createdAt + 1, attempts: 1, leaseUntil })
  }
  await add('k-late', 2000, 'unknown', 0)
  await add('k-crashed', 1000, 'sent', 1500)
  await add('k-running', 500, 'sent', Date.now() + 600000)
  await add('k-done', 100, 'done', 0)
  await store.close()

  const r = await run(['--file', 'keys.sqlite'], dir)
  t.equal(r.code, 0, r.err)
  const lines = r.out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>)
  t.same(lines, [
    { identity: 'G1226', env: 'ecole', idempotencyKey: 'k-crashed', route: 'createDemande', guichet: 'G1226', state: 'sent', createdAt: new Date(1000).toISOString(), sentAt: new Date(1001).toISOString(), attempts: 1 },
    { identity: 'G1226', env: 'ecole', idempotencyKey: 'k-late', route: 'createDemande', guichet: 'G1226', state: 'unknown', createdAt: new Date(2000).toISOString(), sentAt: new Date(2001).toISOString(), attempts: 1 }
  ])
  t.notMatch(r.out, 'SECRET')
  t.equal((await run(['--file', 'keys.sqlite', '--limit', '1'], dir)).out.trim().split('\n').length, 1)
})

t.test('the store file from --config', async (t) => {
  const dir = t.testdir({ data: {} })
  openSqliteIdempotencyStore(join(dir, 'data', 'mine.sqlite')).close()
  writeFileSync(join(dir, 'gateway.json'), JSON.stringify({ dataPlane: { tls: { cert: 'c.pem', key: 'k.pem', clientCertificates: 'none' } }, idempotency: { file: 'data/mine.sqlite' }, environments: { ecole: { upstream: { url: 'https://sne.test/' } } } }))
  const r = await run(['--config', 'gateway.json'], dir)
  t.equal(r.code, 0, r.err)
  t.equal(r.out, '')
})

t.test('no store, usage errors', async (t) => {
  const dir = t.testdir({})
  const missing = await run(['--file', 'nothing.sqlite'], dir)
  t.equal(missing.code, 1)
  t.match(missing.err, 'no idempotency store at')
  t.notOk(existsSync(join(dir, 'nothing.sqlite')), 'not created')
  t.equal((await run(['--limit', '0'], dir)).code, 2)
  t.equal((await run(['--file', 'a', '--config', 'b'], dir)).code, 2)
  t.equal((await run(['extra'], dir)).code, 2)
  t.equal((await run(['--bogus'], dir)).code, 2)
  const help = await run(['--help'], dir)
  t.equal(help.code, 0)
  t.match(help.err, 'usage: sne-gateway idempotency')
})
