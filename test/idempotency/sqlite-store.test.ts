// The embedded idempotency store: records, compare-and-set transitions, leases, purge, file mode
// and durability across a reopen.
import t from 'tap'
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openSqliteIdempotencyStore } from '../../src/idempotency/sqlite-store.js'
import type { NewIdempotencyRecord } from '../../src/idempotency/store.js'

const scope = { identity: 'client-a', env: 'ecole', key: 'k-1' }
const fresh = (over: Partial<NewIdempotencyRecord> = {}): NewIdempotencyRecord => ({
  scope,
  fingerprint: 'f'.repeat(64),
  route: 'createDemande',
  guichet: 'G1226',
  createdAt: 1000,
  owner: 'owner-1',
  leaseUntil: 5000,
  reconciliation: { guichet: 'G1226', dateCreationDemande: '2025-01-14', search: { numGuichet: 'G1226' } },
  ...over
})

t.test('begin records once per scope; the second begin sees the first record', async (t) => {
  const store = openSqliteIdempotencyStore(':memory:')
  t.teardown(() => store.close())
  t.same(await store.begin(fresh()), { created: true })
  const again = await store.begin(fresh({ owner: 'owner-2', fingerprint: 'e'.repeat(64) }))
  t.equal(again.created, false)
  if (again.created) return
  t.match(again.existing, { scope, state: 'received', owner: 'owner-1', fingerprint: 'f'.repeat(64), attempts: 0, reconciliation: { dateCreationDemande: '2025-01-14' } })
  // Another identity, environment or key is another scope.
  t.same(await store.begin(fresh({ scope: { ...scope, identity: 'client-b' } })), { created: true })
  t.same(await store.begin(fresh({ scope: { ...scope, env: 'production' } })), { created: true })
  t.same(await store.begin(fresh({ scope: { ...scope, key: 'k-2' } })), { created: true })
})

t.test('update is a compare-and-set on the owner', async (t) => {
  const store = openSqliteIdempotencyStore(':memory:')
  t.teardown(() => store.close())
  await store.begin(fresh())
  t.equal(await store.update(scope, 'someone-else', { state: 'sent' }), false)
  t.equal(await store.update(scope, 'owner-1', { state: 'sent', sentAt: 2000, attempts: 1 }), true)
  t.equal(await store.update(scope, 'owner-1', { state: 'done', status: 201, location: '/ecole/api/v1/demandes/X', numUnique: 'X', reconciliation: undefined, leaseUntil: 0 }), true)
  t.match(await store.get(scope), { state: 'done', sentAt: 2000, attempts: 1, status: 201, location: '/ecole/api/v1/demandes/X', numUnique: 'X', reconciliation: undefined })
})

t.test('takeOver only once the lease ended, and only from the expected owner', async (t) => {
  const store = openSqliteIdempotencyStore(':memory:')
  t.teardown(() => store.close())
  await store.begin(fresh())
  t.equal(await store.takeOver(scope, 'owner-1', 4999, 'owner-2', 9000), false, 'lease still running')
  t.equal(await store.takeOver(scope, 'owner-x', 5000, 'owner-2', 9000), false, 'not the owner seen')
  t.equal(await store.takeOver(scope, 'owner-1', 5000, 'owner-2', 9000), true)
  t.equal(await store.takeOver(scope, 'owner-1', 9000, 'owner-3', 9999), false, 'a second taker loses')
  t.match(await store.get(scope), { owner: 'owner-2', leaseUntil: 9000 })
})

t.test('release deletes only what the owner holds', async (t) => {
  const store = openSqliteIdempotencyStore(':memory:')
  t.teardown(() => store.close())
  await store.begin(fresh())
  await store.release(scope, 'owner-2')
  t.ok(await store.get(scope))
  await store.release(scope, 'owner-1')
  t.equal(await store.get(scope), undefined)
})

t.test('unknown outcomes: state unknown, or sent with an ended lease', async (t) => {
  const store = openSqliteIdempotencyStore(':memory:')
  t.teardown(() => store.close())
  for (const [key, state, lease] of [['a', 'unknown', 0], ['b', 'sent', 100], ['c', 'sent', 99999], ['d', 'done', 0], ['e', 'received', 0]] as const) {
    await store.begin(fresh({ scope: { ...scope, key }, createdAt: key.charCodeAt(0) }))
    await store.update({ ...scope, key }, 'owner-1', { state, leaseUntil: lease })
  }
  t.same((await store.unknownOutcomes(1000, 10)).map((r) => r.scope.key), ['a', 'b'])
  t.same((await store.unknownOutcomes(1000, 1)).map((r) => r.scope.key), ['a'])
})

t.test('purge deletes the records created before the limit', async (t) => {
  const store = openSqliteIdempotencyStore(':memory:')
  t.teardown(() => store.close())
  await store.begin(fresh({ scope: { ...scope, key: 'old' }, createdAt: 10 }))
  await store.begin(fresh({ scope: { ...scope, key: 'new' }, createdAt: 20 }))
  t.equal(await store.purge(20), 1)
  t.equal(await store.get({ ...scope, key: 'old' }), undefined)
  t.ok(await store.get({ ...scope, key: 'new' }))
})

t.test('the file: mode 0600 (WAL and shared memory too), WAL journal, records survive a reopen', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'idem-store-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const file = join(dir, 'sub', 'idempotency.sqlite')
  const store = openSqliteIdempotencyStore(file)
  await store.begin(fresh())
  await store.update(scope, 'owner-1', { state: 'sent', sentAt: 1500, attempts: 1 })
  t.equal(statSync(file).mode & 0o777, 0o600)
  t.equal(statSync(file + '-wal').mode & 0o777, 0o600)
  t.equal(statSync(file + '-shm').mode & 0o777, 0o600)
  t.equal(statSync(join(dir, 'sub')).mode & 0o777, 0o700)
  await store.close()
  const reopened = openSqliteIdempotencyStore(file)
  t.teardown(() => reopened.close())
  t.match(await reopened.get(scope), { state: 'sent', sentAt: 1500, attempts: 1 })
})

t.test('an unusable file is GW_STORE_UNAVAILABLE', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'idem-store-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  writeFileSync(join(dir, 'a-file'), '')
  t.throws(() => openSqliteIdempotencyStore(join(dir, 'a-file', 'idempotency.sqlite')), { code: 'GW_STORE_UNAVAILABLE', statusCode: 503 })
})

t.test('writes resolve once the WAL is fsynced; begin and refused writes do not wait for one', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'idem-store-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const pending: Array<() => void> = []
  const store = openSqliteIdempotencyStore(join(dir, 'idempotency.sqlite'), {
    sync: () => new Promise<void>((resolve) => { pending.push(resolve) })
  })
  t.teardown(() => { for (const end of pending) end(); return store.close() })
  t.same(await store.begin(fresh()), { created: true })
  t.equal(pending.length, 0, 'begin: nothing sent yet, no fsync')
  t.equal(await store.update(scope, 'someone-else', { state: 'sent' }), false)
  t.equal(pending.length, 0, 'a compare-and-set that changed nothing: no fsync')
  let resolved = false
  const sent = store.update(scope, 'owner-1', { state: 'sent', sentAt: 2000, attempts: 1 }).then((ok) => { resolved = true; return ok })
  await new Promise((resolve) => setTimeout(resolve, 20))
  t.equal(pending.length, 1)
  t.equal(resolved, false, 'not resolved before its fsync')
  pending[0]?.()
  t.equal(await sent, true)
})

t.test('concurrent writes share fsyncs (group commit), with the real fdatasync', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'idem-store-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const file = join(dir, 'idempotency.sqlite')
  const store = openSqliteIdempotencyStore(file)
  const keys = Array.from({ length: 40 }, (_, i) => ({ ...scope, key: `k-${i}` }))
  for (const s of keys) await store.begin(fresh({ scope: s }))
  const before = store.wal?.syncs ?? 0
  t.same(await Promise.all(keys.map((s) => store.update(s, 'owner-1', { state: 'sent', sentAt: 2000, attempts: 1 }))), keys.map(() => true))
  const syncs = (store.wal?.syncs ?? 0) - before
  t.equal(syncs, 1, `40 writes made before the first fsync started share it`)
  await store.close()
  const reopened = openSqliteIdempotencyStore(file)
  t.teardown(() => reopened.close())
  t.equal((await reopened.unknownOutcomes(Number.MAX_SAFE_INTEGER, 100)).length, 40, 'all 40 on disk')
})

t.test('a failed fsync makes writes GW_STORE_UNAVAILABLE', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'idem-store-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const store = openSqliteIdempotencyStore(join(dir, 'idempotency.sqlite'), {
    sync: async () => { throw Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' }) }
  })
  t.teardown(() => store.close())
  await store.begin(fresh())
  await t.rejects(store.update(scope, 'owner-1', { state: 'sent' }), { code: 'GW_STORE_UNAVAILABLE', statusCode: 503, message: /update's fsync failed \(EIO\)/ })
  await t.rejects(store.takeOver(scope, 'owner-1', 99999, 'owner-2', 100000), { code: 'GW_STORE_UNAVAILABLE' })
})
