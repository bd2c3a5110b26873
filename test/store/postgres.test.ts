// The shared store in a real PostgreSQL (a throw-away cluster started here): its migrations, the
// idempotency store's contract, the same key seen by two instances' pools, and an outage.
import t from 'tap'
import pg from 'pg'
import { pino } from 'pino'
import { appendFileSync, writeFileSync } from 'node:fs'
import { startAuditShipper, auditRecordsSince } from '../../src/store/audit-shipper.js'
import { join } from 'node:path'
import idempotencyCli from '../../src/cli/idempotency.js'
import { postgresIdempotencyStore } from '../../src/idempotency/postgres-store.js'
import { migrate, MIGRATIONS, type Migration } from '../../src/store/migrations.js'
import { openSharedStore, redactedUrl } from '../../src/store/postgres.js'
import { fresh, scope, storeContract } from '../idempotency/store-contract.js'
import { postgresTestSkip, startPostgres, type PgCluster } from '../../bench/harness/postgres.js'

const skip = postgresTestSkip()
if (skip !== false) {
  t.plan(0, `shared store: ${skip}`)
} else {
  const cluster: PgCluster = await startPostgres()
  t.teardown(() => { cluster.destroy() })
  const logger = pino({ level: 'silent' })
  const options = { url: cluster.url, poolSize: 4, connectTimeoutMs: 1000, statementTimeoutMs: 2000, retryAfterSeconds: 7 }
  let databases = 0
  /** A new empty database on the cluster, and its URL. */
  const database = async (): Promise<string> => {
    const name = `t${++databases}`
    const admin = new pg.Client({ connectionString: cluster.url })
    await admin.connect()
    await admin.query(`CREATE DATABASE ${name}`)
    await admin.end()
    return cluster.url.replace(/\/postgres$/, `/${name}`)
  }

  t.test('migrations: applied once, under a lock, recorded with their checksum', async (t) => {
    const url = await database()
    const a = new pg.Pool({ connectionString: url })
    const b = new pg.Pool({ connectionString: url })
    t.teardown(async () => { await a.end(); await b.end() })
    // Two instances starting together: one applies, the other waits and finds it done.
    const [ra, rb] = await Promise.all([migrate(a), migrate(b)])
    const latest = Math.max(...MIGRATIONS.map((m) => m.version))
    t.same([ra.applied.length + rb.applied.length, ra.version, rb.version], [MIGRATIONS.length, latest, latest])
    t.same((await migrate(a)).applied, [], 'nothing to apply at the next start')
    const rows = (await a.query<{ version: number, checksum: string }>('SELECT version, checksum FROM sne_schema_migrations ORDER BY version')).rows
    t.same(rows.map((r) => r.version), MIGRATIONS.map((m) => m.version))
    t.match(rows[0]?.checksum, /^[0-9a-f]{64}$/)
  })

  t.test('migrations: a newer schema or a changed migration refuses the start', async (t) => {
    const url = await database()
    const pool = new pg.Pool({ connectionString: url })
    t.teardown(async () => { await pool.end() })
    const next: Migration = { version: 999, description: 'from a newer release', sql: 'CREATE TABLE later_thing (id integer)' }
    await migrate(pool, [...MIGRATIONS, next])
    const latest = Math.max(...MIGRATIONS.map((m) => m.version))
    await t.rejects(migrate(pool), { code: 'GW_STORE_SCHEMA_NEWER', message: new RegExp(`version 999, newer than this gateway knows \\(${latest}\\)`) })
    const url2 = await database()
    const pool2 = new pg.Pool({ connectionString: url2 })
    t.teardown(async () => { await pool2.end() })
    await migrate(pool2)
    const changed = MIGRATIONS.map((m) => ({ ...m, sql: m.sql + '\n-- edited' }))
    await t.rejects(migrate(pool2, changed), { code: 'GW_STORE_START_FAILED', message: /migration 1 .* differs/ })
    // The lock was given back: a correct start still works.
    t.same((await migrate(pool2)).applied, [])
  })

  t.test('migrations are additive: the previous release keeps running during a rolling update', async (t) => {
    for (const m of MIGRATIONS) {
      t.notMatch(m.sql, /\b(DROP|RENAME|TRUNCATE)\b|ALTER\s+COLUMN[^;]*\bTYPE\b|\bSET\s+NOT\s+NULL\b/i, `migration ${m.version} only adds`)
    }
  })

  t.test('the idempotency store contract', async (t) => {
    storeContract(t, async () => {
      const store = await openSharedStore({ ...options, url: await database() }, logger)
      return { ...store.idempotency, close: store.close }
    })
  })

  t.test('statements are prepared once per connection, then run by name', async (t) => {
    const store = await openSharedStore({ ...options, url: await database(), poolSize: 1 }, logger)
    t.teardown(async () => { await store.close() })
    for (const key of ['k-a', 'k-b']) {
      await store.idempotency.begin(fresh({ scope: { ...scope, key } }))
      await store.idempotency.update({ ...scope, key }, 'owner-1', { state: 'sent', sentAt: 2000, attempts: 1 })
    }
    // One connection (poolSize 1): the session's prepared statements are this store's.
    const prepared = (await store.pool.query<{ name: string }>('SELECT name FROM pg_prepared_statements ORDER BY name')).rows.map((r) => r.name)
    t.equal(prepared.length, 2, 'the insert and the update, once each for two keys')
    t.ok(prepared.every((name) => /^sne_[0-9a-f]{24}$/.test(name)), 'named by their text')
  })

  t.test('two instances: one key, one winner; the other sees it in flight, then done', async (t) => {
    const url = await database()
    const a = await openSharedStore({ ...options, url }, logger)
    const b = await openSharedStore({ ...options, url }, logger)
    t.teardown(async () => { await a.close(); await b.close() })
    const results = await Promise.all([
      a.idempotency.begin(fresh({ owner: 'instance-a' })),
      b.idempotency.begin(fresh({ owner: 'instance-b' }))
    ])
    t.same(results.filter((r) => r.created).length, 1, 'exactly one instance records the key')
    const winner = results[0]?.created === true ? 'instance-a' : 'instance-b'
    const loser = results.find((r) => !r.created)
    t.match(loser, { created: false, existing: { owner: winner, state: 'received' } })
    const [mine, theirs] = winner === 'instance-a' ? [a, b] : [b, a]
    const other = winner === 'instance-a' ? 'instance-b' : 'instance-a'
    t.equal(await mine.idempotency.update(scope, winner, { state: 'sent', sentAt: 2000, attempts: 1 }), true)
    t.match(await theirs.idempotency.get(scope), { state: 'sent', owner: winner }, 'the other instance sees it sent')
    t.equal(await theirs.idempotency.update(scope, other, { state: 'done' }), false, 'the other instance cannot write it')
    t.equal(await theirs.idempotency.takeOver(scope, winner, 4999, other, 9000), false, 'nor take it over while its lease runs')
    t.equal(await theirs.idempotency.takeOver(scope, winner, 5000, other, 9000), true, 'but can once the lease ended (the winner died)')
  })

  t.test('an outage refuses with GW_STORE_UNAVAILABLE and Retry-After; the pool reconnects after', async (t) => {
    const url = await database()
    const store = await openSharedStore({ ...options, url }, logger)
    t.teardown(async () => { await store.close() })
    t.same(await store.idempotency.begin(fresh()), { created: true })
    cluster.stop()
    try {
      await t.rejects(store.idempotency.update(scope, 'owner-1', { state: 'sent' }), { code: 'GW_STORE_UNAVAILABLE', statusCode: 503, retryAfterSeconds: 7 })
      await t.rejects(store.idempotency.begin(fresh({ scope: { ...scope, key: 'k-2' } })), { code: 'GW_STORE_UNAVAILABLE' })
    } finally {
      cluster.start()
    }
    t.equal(await store.idempotency.update(scope, 'owner-1', { state: 'sent', sentAt: 2000, attempts: 1 }), true, 'writes resume without a restart')
    t.match(await store.idempotency.get(scope), { state: 'sent' })
  })

  t.test('a start without the database is GW_STORE_START_FAILED, the password never shown', async (t) => {
    const url = `postgres://sne:s3cret@127.0.0.1:${cluster.port}/no_such_database`
    const err = await openSharedStore({ ...options, url }, logger).then(() => undefined, (e: Error & { code?: string }) => e)
    t.equal(err?.code, 'GW_STORE_START_FAILED')
    t.notMatch(err?.message, /s3cret/)
    t.match(err?.message, /sne:\*\*\*@127\.0\.0\.1/)
    t.equal(redactedUrl('postgresql://u:p@h/d?sslmode=verify-full'), 'postgresql://u:***@h/d?sslmode=verify-full')
  })

  t.test('a store is usable through its pool only: closing the store ends it', async (t) => {
    const store = await openSharedStore({ ...options, url: await database() }, logger)
    const direct = postgresIdempotencyStore(store.pool, { retryAfterSeconds: 1 })
    t.same(await direct.begin(fresh()), { created: true })
    await store.close()
    await t.rejects(direct.get(scope), { code: 'GW_STORE_UNAVAILABLE' })
  })

  t.test('sne-gateway idempotency --config lists the shared store\'s unknown outcomes', async (t) => {
    const url = await database()
    const store = await openSharedStore({ ...options, url }, logger)
    await store.idempotency.begin(fresh())
    await store.idempotency.update(scope, 'owner-1', { state: 'unknown', sentAt: 1001, attempts: 1, leaseUntil: 0 })
    await store.close()
    const dir = t.testdir({})
    writeFileSync(join(dir, 'gateway.json'), JSON.stringify({ dataPlane: { tls: { cert: 'server.pem', key: 'server.key', clientCertificates: 'none' } }, store: { url }, environments: { ecole: { upstream: { url: 'https://127.0.0.1:1/services/DemandeLogementImplService/' } } } }))
    let out = ''
    let err = ''
    const code = await idempotencyCli(['--config', 'gateway.json'], { stdout: { write: (s: string) => { out += s } }, stderr: { write: (s: string) => { err += s } }, cwd: dir })
    t.equal(code, 0, err)
    t.same(out.trim().split('\n').map((l) => JSON.parse(l) as unknown), [{ identity: 'client-a', env: 'ecole', idempotencyKey: 'k-1', route: 'createDemande', guichet: 'G1226', state: 'unknown', createdAt: new Date(1000).toISOString(), sentAt: new Date(1001).toISOString(), attempts: 1 }])
  })

  t.test('the audit shipper: new lines once each, torn lines skipped, a replaced file shipped from its start', async (t) => {
    const store = await openSharedStore({ ...options, url: await database() }, logger)
    t.teardown(async () => { await store.close() })
    const dir = t.testdir({})
    const file = join(dir, 'audit.jsonl')
    const line = (reqId: string): string => JSON.stringify({ time: '2026-01-01T00:00:00.000Z', event: 'outcome_unknown', reqId, env: 'ecole', operation: 'getNumUnique' }) + '\n'
    const shipper = startAuditShipper({ file, pool: store.pool, instance: 'host:1', logger, intervalMs: 3_600_000 })
    t.teardown(() => shipper.stop())
    t.equal(await shipper.ship(), 0, 'no file yet: nothing')
    writeFileSync(file, line('r1') + '{"torn' + '\n' + line('r2') + '{"half written')
    t.equal(await shipper.ship(), 2, 'the torn line skipped, the unfinished one left for later')
    appendFileSync(file, '"}\n' + line('r3'))
    t.equal(await shipper.ship(), 1, 'only the lines after the offset (the unfinished one is not JSON: skipped)')
    const ids = async (): Promise<string[]> => (await auditRecordsSince(store.pool, '2025-12-31T00:00:00Z', 100)).map((r) => String(r.reqId)).sort()
    t.same(await ids(), ['r1', 'r2', 'r3'])
    // Rotated: a new, smaller file. Its lines are shipped; one already stored is stored once.
    writeFileSync(file, line('r1'))
    await shipper.ship()
    t.same(await ids(), ['r1', 'r2', 'r3'], 'a line shipped twice is stored once')
    t.match((await auditRecordsSince(store.pool, '2025-12-31T00:00:00Z', 1))[0], { instance: 'host:1' })
    // Stopping makes a last copy: a record written just before shutdown is not left in the file.
    appendFileSync(file, line('r4'))
    await shipper.stop()
    t.same(await ids(), ['r1', 'r2', 'r3', 'r4'], 'the last record shipped on stop')
  })
}
