// The idempotency store's contract, run against each implementation (the embedded SQLite store,
// the PostgreSQL one): records, compare-and-set transitions, leases, unknown outcomes, purge.
import type { Test } from 'tap'
import type { IdempotencyStore, NewIdempotencyRecord } from '../../src/idempotency/store.js'

export const scope = { identity: 'client-a', env: 'ecole', key: 'k-1' }
export const fresh = (over: Partial<NewIdempotencyRecord> = {}): NewIdempotencyRecord => ({
  scope,
  fingerprint: 'f'.repeat(64),
  state: 'received',
  route: 'createDemande',
  guichet: 'G1226',
  createdAt: 1000,
  sentAt: undefined,
  attempts: 0,
  owner: 'owner-1',
  leaseUntil: 5000,
  reconciliation: { guichet: 'G1226', dateCreationDemande: '2025-01-14', search: { numGuichet: 'G1226' } },
  ...over
})

/** `open` gives an empty store; the suite closes it. */
export function storeContract (t: Test, open: () => Promise<IdempotencyStore>): void {
  t.test('begin records once per scope; the second begin sees the first record', async (t) => {
    const store = await open()
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

  t.test('begin records a call sent at once: state, sent time and attempts as given', async (t) => {
    const store = await open()
    t.teardown(() => store.close())
    t.same(await store.begin(fresh({ state: 'sent', sentAt: 1200, attempts: 1 })), { created: true })
    t.match(await store.get(scope), { state: 'sent', sentAt: 1200, attempts: 1, owner: 'owner-1', leaseUntil: 5000, reconciliation: { guichet: 'G1226' } })
    const again = await store.begin(fresh({ state: 'sent', sentAt: 1300, attempts: 1, owner: 'owner-2' }))
    t.match(again, { created: false, existing: { state: 'sent', sentAt: 1200, owner: 'owner-1' } }, 'the first record stands')
    // A sent record with an ended lease is an outcome to reconcile, as one moved to sent by update.
    t.match(await store.unknownOutcomes(6000, 10), [{ scope, state: 'sent' }])
  })

  t.test('update is a compare-and-set on the owner', async (t) => {
    const store = await open()
    t.teardown(() => store.close())
    await store.begin(fresh())
    t.equal(await store.update(scope, 'someone-else', { state: 'sent' }), false)
    t.equal(await store.update(scope, 'owner-1', { state: 'sent', sentAt: 2000, attempts: 1 }), true)
    t.equal(await store.update(scope, 'owner-1', { state: 'done', status: 201, location: '/ecole/api/v1/demandes/X', numUnique: 'X', reconciliation: undefined, leaseUntil: 0 }), true)
    t.match(await store.get(scope), { state: 'done', sentAt: 2000, attempts: 1, status: 201, location: '/ecole/api/v1/demandes/X', numUnique: 'X', reconciliation: undefined })
  })

  t.test('takeOver only once the lease ended, and only from the expected owner', async (t) => {
    const store = await open()
    t.teardown(() => store.close())
    await store.begin(fresh())
    t.equal(await store.takeOver(scope, 'owner-1', 4999, 'owner-2', 9000), false, 'lease still running')
    t.equal(await store.takeOver(scope, 'owner-x', 5000, 'owner-2', 9000), false, 'not the owner seen')
    t.equal(await store.takeOver(scope, 'owner-1', 5000, 'owner-2', 9000), true)
    t.equal(await store.takeOver(scope, 'owner-1', 9000, 'owner-3', 9999), false, 'a second taker loses')
    t.match(await store.get(scope), { owner: 'owner-2', leaseUntil: 9000 })
  })

  t.test('release deletes only what the owner holds', async (t) => {
    const store = await open()
    t.teardown(() => store.close())
    await store.begin(fresh())
    await store.release(scope, 'owner-2')
    t.ok(await store.get(scope))
    await store.release(scope, 'owner-1')
    t.equal(await store.get(scope), undefined)
  })

  t.test('unknown outcomes: state unknown, or sent with an ended lease', async (t) => {
    const store = await open()
    t.teardown(() => store.close())
    for (const [key, state, lease] of [['a', 'unknown', 0], ['b', 'sent', 100], ['c', 'sent', 99999], ['d', 'done', 0], ['e', 'received', 0]] as const) {
      await store.begin(fresh({ scope: { ...scope, key }, createdAt: key.charCodeAt(0) }))
      await store.update({ ...scope, key }, 'owner-1', { state, leaseUntil: lease })
    }
    t.same((await store.unknownOutcomes(1000, 10)).map((r) => r.scope.key), ['a', 'b'])
    t.same((await store.unknownOutcomes(1000, 1)).map((r) => r.scope.key), ['a'])
  })

  t.test('purge deletes the records created before the limit', async (t) => {
    const store = await open()
    t.teardown(() => store.close())
    await store.begin(fresh({ scope: { ...scope, key: 'old' }, createdAt: 10 }))
    await store.begin(fresh({ scope: { ...scope, key: 'new' }, createdAt: 20 }))
    t.equal(await store.purge(20), 1)
    t.equal(await store.get({ ...scope, key: 'old' }), undefined)
    t.ok(await store.get({ ...scope, key: 'new' }))
  })
}
