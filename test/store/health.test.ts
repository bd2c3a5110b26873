// A store's health: up until a statement fails, then down with the first failure's time and the
// last error code, up again at the next success; each failure counted.
import t from 'tap'
import { StoreHealth } from '../../src/store/health.js'
import { openSqliteIdempotencyStore } from '../../src/idempotency/sqlite-store.js'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

t.test('up, down since the first failure, up again', async (t) => {
  let now = 1000
  const failures: string[] = []
  const health = new StoreHealth('postgresql', (operation, code) => { failures.push(`${operation}:${code}`) }, () => now)
  t.same(health.status(), { backend: 'postgresql', ok: true })
  health.failed('begin', 'ECONNREFUSED')
  now = 5000
  health.failed('update', '57P01')
  t.equal(health.up, false)
  t.same(health.status(), { backend: 'postgresql', ok: false, failingSince: new Date(1000).toISOString(), error: '57P01' })
  health.ok()
  t.same(health.status(), { backend: 'postgresql', ok: true })
  t.same(failures, ['begin:ECONNREFUSED', 'update:57P01'])
})

t.test('the embedded store reports a failed fsync, then stays down (a failed fsync is final)', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'store-health-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const health = new StoreHealth('sqlite')
  const store = openSqliteIdempotencyStore(join(dir, 'keys.sqlite'), {
    observer: health,
    sync: async () => { throw Object.assign(new Error('EIO'), { code: 'EIO' }) }
  })
  t.teardown(() => store.close())
  const scope = { identity: 'a', env: 'ecole', key: 'k' }
  await store.begin({ scope, fingerprint: 'f', state: 'received', sentAt: undefined, attempts: 0, route: 'createDemande', guichet: '', createdAt: 1, owner: 'o', leaseUntil: 2, reconciliation: undefined })
  t.equal(health.up, true)
  await t.rejects(store.update(scope, 'o', { state: 'sent' }), { code: 'GW_STORE_UNAVAILABLE' })
  t.match(health.status(), { backend: 'sqlite', ok: false, error: 'EIO' })
})
