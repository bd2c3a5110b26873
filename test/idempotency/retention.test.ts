// The retention of idempotency records: purged at start and on the interval, older than
// retentionDays only; a failing purge is logged, not thrown.
import t from 'tap'
import { pino, type Logger } from 'pino'
import { Writable } from 'node:stream'
import { setTimeout as sleep } from 'node:timers/promises'
import { startRetention } from '../../src/idempotency/retention.js'
import { openSqliteIdempotencyStore } from '../../src/idempotency/sqlite-store.js'
import type { IdempotencyStore } from '../../src/idempotency/store.js'

const DAY = 86400000
function capture (): { logger: Logger, lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = []
  const stream = new Writable({ write (chunk: Buffer, _e, cb) { lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>); cb() } })
  return { logger: pino({ level: 'info' }, stream) as unknown as Logger, lines }
}

t.test('records older than the retention go at start, then on each interval', async (t) => {
  const store = openSqliteIdempotencyStore(':memory:')
  t.teardown(() => store.close())
  let now = 100 * DAY
  const add = async (key: string, createdAt: number): Promise<void> => {
    await store.begin({ scope: { identity: 'a', env: 'ecole', key }, fingerprint: 'f', state: 'received', sentAt: undefined, attempts: 0, route: 'createDemande', guichet: 'G1226', createdAt, owner: 'o', leaseUntil: 0, reconciliation: undefined })
  }
  await add('eight-days', now - 8 * DAY)
  await add('six-days', now - 6 * DAY)
  const { logger, lines } = capture()
  const stop = startRetention(store, { retentionDays: 7, purgeIntervalMs: 50, clock: () => new Date(now), logger })
  t.teardown(stop)
  await sleep(10)
  t.equal(await store.get({ identity: 'a', env: 'ecole', key: 'eight-days' }), undefined, 'purged at start')
  t.ok(await store.get({ identity: 'a', env: 'ecole', key: 'six-days' }), 'kept: within the retention')
  t.match(lines, [{ purged: 1, msg: 'idempotency keys past their retention deleted' }])
  now += 2 * DAY
  for (let i = 0; i < 100 && await store.get({ identity: 'a', env: 'ecole', key: 'six-days' }) !== undefined; i++) await sleep(20)
  t.equal(await store.get({ identity: 'a', env: 'ecole', key: 'six-days' }), undefined, 'purged on the interval once past the retention')
  stop()
})

t.test('a purge that fails is logged', async (t) => {
  const failing = { purge: async () => { throw new Error('disk') } } as unknown as IdempotencyStore
  const { logger, lines } = capture()
  const stop = startRetention(failing, { retentionDays: 7, purgeIntervalMs: 60000, clock: () => new Date(), logger })
  t.teardown(stop)
  await sleep(10)
  t.match(lines, [{ level: 50, msg: 'idempotency keys could not be purged' }])
})
