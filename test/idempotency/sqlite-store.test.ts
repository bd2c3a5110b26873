// The embedded idempotency store: the stores' contract (store-contract.ts), then its own file mode,
// durability across a reopen and group commit.
import t from 'tap'
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openSqliteIdempotencyStore } from '../../src/idempotency/sqlite-store.js'
import { fresh, scope, storeContract } from './store-contract.js'

storeContract(t, async () => openSqliteIdempotencyStore(':memory:'))

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

t.test('writes resolve once the WAL is fsynced; begin of a received record and refused writes do not wait for one', async (t) => {
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
  // A call recorded as it leaves (begin of a sent record) waits for its fsync like update.
  let begun = false
  const other = { ...scope, key: 'k-sent' }
  const sentAtOnce = store.begin(fresh({ scope: other, state: 'sent', sentAt: 2100, attempts: 1 })).then((r) => { begun = true; return r })
  await new Promise((resolve) => setTimeout(resolve, 20))
  t.equal(pending.length, 2, 'begin of a sent record: one fsync')
  t.equal(begun, false, 'not resolved before its fsync')
  pending[1]?.()
  t.same(await sentAtOnce, { created: true })
  t.same(await store.begin(fresh({ scope: other, state: 'sent', sentAt: 2200, attempts: 1 })).then((r) => r.created), false)
  t.equal(pending.length, 2, 'a begin that found the key recorded: no fsync')
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
