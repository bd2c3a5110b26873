// What a REST write writes to the idempotency store, call by call: a new key is looked up, then
// recorded once, as `sent`, when its checked message leaves (one durable write, not a `received`
// record first and a `sent` update after); a call refused before it leaves writes nothing; two
// calls racing with one new key send once.
import t, { type Test } from 'tap'
import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { openSqliteIdempotencyStore } from '../../src/idempotency/sqlite-store.js'
import type { IdempotencyStore } from '../../src/idempotency/store.js'
import { requestFingerprint } from '../../src/idempotency/fingerprint.js'
import { codedError, FakeUpstream } from '../routes/helpers/fake-upstream.js'
import { unitGateway, type UnitGateway } from '../routes/helpers/unit-gateway.js'
import { NOW } from '../integration/helpers/gateway-stack.js'

const cre = readFileSync(new URL('../../examples/rest/demande-cre.json', import.meta.url), 'utf8')

/** The in-memory store, with each call written down as `method` or `method:state`. */
function recordingStore (): { store: IdempotencyStore, calls: string[] } {
  const inner = openSqliteIdempotencyStore(':memory:')
  const calls: string[] = []
  const store: IdempotencyStore = {
    begin: async (record) => { calls.push(`begin:${record.state}`); return await inner.begin(record) },
    update: async (scope, owner, changes) => { calls.push(`update:${changes.state ?? '-'}`); return await inner.update(scope, owner, changes) },
    takeOver: async (...args) => { calls.push('takeOver'); return await inner.takeOver(...args) },
    release: async (...args) => { calls.push('release'); await inner.release(...args) },
    get: async (scope) => { calls.push('get'); return await inner.get(scope) },
    unknownOutcomes: async (...args) => await inner.unknownOutcomes(...args),
    purge: async (...args) => await inner.purge(...args),
    close: async () => { await inner.close() }
  }
  return { store, calls }
}

const post = (key: string, payload: string) => ({ method: 'POST' as const, url: '/ecole/api/v1/demandes', payload, headers: { 'idempotency-key': key, 'content-type': 'application/json' } })

t.test('a new key is recorded once, as sent, when the call leaves; then its outcome', async (t) => {
  const { store, calls } = recordingStore()
  const upstream = new FakeUpstream([{ kind: 'fail-after-send', error: codedError('UND_ERR_HEADERS_TIMEOUT') }])
  const gw = await unitGateway(() => {}, { createDispatcher: () => upstream, clock: () => NOW, idempotency: { store, clock: () => NOW } })
  t.teardown(gw.close)
  const key = randomUUID()
  const res = await gw.gateway.app.inject(post(key, cre))
  t.equal(res.statusCode, 504)
  t.equal(upstream.calls.length, 1)
  t.same(calls, ['get', 'begin:sent', 'update:unknown'])
  t.match(await store.get({ identity: '', env: 'ecole', key }), { state: 'unknown', attempts: 1, guichet: 'G1226', createdAt: NOW.getTime(), sentAt: NOW.getTime(), reconciliation: { guichet: 'G1226' } })
})

t.test('a call refused before it leaves writes nothing: the key stays free', async (t) => {
  const { store, calls } = recordingStore()
  const upstream = new FakeUpstream([])
  const gw = await unitGateway(() => {}, { createDispatcher: () => upstream, clock: () => NOW, idempotency: { store, clock: () => NOW } })
  t.teardown(gw.close)
  const key = randomUUID()
  const invalid = JSON.stringify({ ...JSON.parse(cre) as Record<string, unknown>, dateCreationDemande: 'hier' })
  const res = await gw.gateway.app.inject(post(key, invalid))
  t.equal(res.statusCode, 400)
  t.same(calls, ['get'], 'looked up, never written')
  t.equal(await store.get({ identity: '', env: 'ecole', key }), undefined)
  t.equal(upstream.calls.length, 0)
})

/**
 * A unit gateway whose store answers two lookups "no record" before either call records the key
 * (both calls are checked with the key free), and whose upstream times out the one call sent.
 */
async function racingGateway (t: Test): Promise<{ gw: UnitGateway, upstream: FakeUpstream, calls: string[], key: string }> {
  const { store, calls } = recordingStore()
  const upstream = new FakeUpstream([{ kind: 'fail-after-send', error: codedError('UND_ERR_HEADERS_TIMEOUT') }])
  let lookups = 0
  let release: () => void = () => {}
  const bothLooked = new Promise<void>((resolve) => { release = resolve })
  const get = store.get.bind(store)
  store.get = async (scope) => {
    const found = await get(scope)
    if (++lookups === 2) release()
    await bothLooked
    return found
  }
  const gw = await unitGateway(() => {}, { createDispatcher: () => upstream, clock: () => NOW, idempotency: { store, clock: () => NOW } })
  t.teardown(gw.close)
  return { gw, upstream, calls, key: randomUUID() }
}

t.test('two calls with one new key, both checked before either is recorded: one is sent, the other is 409', async (t) => {
  const { gw, upstream, calls, key } = await racingGateway(t)
  const answers = await Promise.all([gw.gateway.app.inject(post(key, cre)), gw.gateway.app.inject(post(key, cre))])
  t.same(answers.map((a) => a.statusCode).sort(), [409, 504])
  const conflict = answers.find((a) => a.statusCode === 409)!
  t.match(conflict.json(), { code: 'GW_IDEMPOTENCY_IN_FLIGHT' })
  t.match(conflict.headers['retry-after'], /^[1-9]\d*$/)
  t.equal(upstream.calls.length, 1, 'sent once')
  t.same(calls.filter((c) => c.startsWith('begin')), ['begin:sent', 'begin:sent'])
  t.notOk(calls.includes('release'), 'the loser released nothing: the key is the winner\'s')
})

t.test('the same race with another body: the loser is 422, its key taken by another call', async (t) => {
  const { gw, upstream, key } = await racingGateway(t)
  const other = JSON.stringify({ ...JSON.parse(cre) as Record<string, unknown>, dateCreationDemande: '2025-01-13' })
  const answers = await Promise.all([gw.gateway.app.inject(post(key, cre)), gw.gateway.app.inject(post(key, other))])
  t.same(answers.map((a) => a.statusCode).sort(), [422, 504])
  t.match(answers.find((a) => a.statusCode === 422)!.json(), { code: 'GW_IDEMPOTENCY_KEY_REUSED' })
  t.equal(upstream.calls.length, 1, 'sent once')
})

t.test('a received record an earlier version left (its process stopped before sending) is taken over and sent', async (t) => {
  const { store, calls } = recordingStore()
  const upstream = new FakeUpstream([{ kind: 'fail-after-send', error: codedError('UND_ERR_HEADERS_TIMEOUT') }])
  const gw = await unitGateway(() => {}, { createDispatcher: () => upstream, clock: () => NOW, idempotency: { store, clock: () => NOW } })
  t.teardown(gw.close)
  const key = randomUUID()
  const scope = { identity: '', env: 'ecole', key }
  const fingerprint = requestFingerprint('POST', '/ecole/api/v1/demandes', JSON.parse(cre))
  await store.begin({ scope, fingerprint, state: 'received', route: 'createDemande', guichet: '', createdAt: NOW.getTime() - 120_000, sentAt: undefined, attempts: 0, owner: 'stopped-process', leaseUntil: NOW.getTime() - 1, reconciliation: undefined })
  calls.length = 0
  const res = await gw.gateway.app.inject(post(key, cre))
  t.equal(res.statusCode, 504)
  t.equal(upstream.calls.length, 1, 'nothing had reached the SNE: sent')
  t.same(calls, ['get', 'takeOver', 'update:sent', 'update:unknown'])
  t.match(await store.get(scope), { state: 'unknown', attempts: 1, createdAt: NOW.getTime() - 120_000 })
})
