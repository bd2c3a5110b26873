// The legacy-TLS census in the shared store, in a real PostgreSQL (a throw-away cluster started
// here): two census instances, each with its own pool, as two gateway processes would be. Their
// counts add up to one union that both show; budgets apply to the union; one readiness point per
// interval for all; an outage loses no count and sends none twice.
import t from 'tap'
import pg from 'pg'
import { createCensus, mergeClient, type Census } from '../../src/census/census.js'
import type { StoredClient } from '../../src/census/census-store.js'
import { postgresCensusStore } from '../../src/census/postgres-census-store.js'
import { StoreHealth } from '../../src/store/health.js'
import { migrate } from '../../src/store/migrations.js'
import { legacy, manualClock, success } from '../census/helpers/records.js'
import { postgresTestSkip, startPostgres, type PgCluster } from '../../bench/harness/postgres.js'

const HOUR = 3_600_000
/** What the helpers need of a test. */
interface Teardown { teardown: (fn: () => unknown) => void }

t.test('mergeClient: counts add up, first times the least, last ones the greatest', async (t) => {
  const row: StoredClient = {
    ip: '192.0.2.1', ja4: 'j', sni: 's', ja3Hash: undefined, firstSeen: 100, lastSeen: 200,
    offered: { TLSv1: 2 }, outcomes: { failure: 2 }, maxOffered: 0x0301, firstLegacy: 100, lastLegacy: 200,
    lastSuccess: undefined, lastSuccessVersion: undefined, lastFailure: 200, lastFailureReason: 'unsupported-protocol', identity: undefined
  }
  mergeClient(row, {
    ip: '192.0.2.1', ja4: 'j', sni: 's', ja3Hash: 'h', firstSeen: 50, lastSeen: 300,
    offered: { TLSv1: 1, 'TLSv1.2': 1 }, outcomes: { failure: 1, success: 1 }, maxOffered: 0x0303, firstLegacy: 50, lastLegacy: 60,
    lastSuccess: 300, lastSuccessVersion: 'TLSv1.2', lastFailure: 60, lastFailureReason: 'handshake', identity: 'G1'
  })
  t.same(row, {
    ip: '192.0.2.1', ja4: 'j', sni: 's', ja3Hash: 'h', firstSeen: 50, lastSeen: 300,
    offered: { TLSv1: 3, 'TLSv1.2': 1 }, outcomes: { failure: 3, success: 1 }, maxOffered: 0x0303, firstLegacy: 50, lastLegacy: 200,
    lastSuccess: 300, lastSuccessVersion: 'TLSv1.2', lastFailure: 200, lastFailureReason: 'unsupported-protocol', identity: 'G1'
  })
})

const skip = postgresTestSkip()
if (skip !== false) {
  t.test('the census in PostgreSQL', { skip }, async () => {})
} else {
  const cluster: PgCluster = await startPostgres()
  t.teardown(() => { cluster.destroy() })
  let databases = 0
  /** A new migrated database on the cluster, and a pool maker for it. */
  const database = async (t: Teardown): Promise<() => pg.Pool> => {
    const name = `census${++databases}`
    const admin = new pg.Client({ connectionString: cluster.url })
    await admin.connect()
    await admin.query(`CREATE DATABASE ${name}`)
    await admin.end()
    const url = cluster.url.replace(/\/postgres$/, `/${name}`)
    const pools: pg.Pool[] = []
    t.teardown(async () => { await Promise.all(pools.map(async (p) => { await p.end() })) })
    const pool = (): pg.Pool => {
      const p = new pg.Pool({ connectionString: url, max: 2, connectionTimeoutMillis: 500 })
      p.on('error', () => {})
      pools.push(p)
      return p
    }
    await migrate(pool())
    return pool
  }
  const clock = manualClock()
  /** A census instance on its own pool, shared (flushes by hand: a long interval). */
  const instance = async (t: Teardown, pool: () => pg.Pool, options: Parameters<typeof createCensus>[0] = {}, health?: StoreHealth): Promise<Census> => {
    const census = createCensus({ flushIntervalMs: 3_600_000, ...options }, { clock: clock.clock })
    t.teardown(() => { census.close() })
    await census.share(postgresCensusStore(pool(), health))
    return census
  }

  t.test('two instances: one union, each count once', async (t) => {
    const pool = await database(t)
    const a = await instance(t, pool)
    const b = await instance(t, pool)
    const at = clock.now()
    a.observe(legacy(at, '192.0.2.10', 'gw.example'))
    a.observe(legacy(at + 1, '192.0.2.10', 'gw.example'))
    b.observe(legacy(at + 2, '192.0.2.10', 'gw.example'))
    b.observe(success(at + 3, '192.0.2.10', 'gw.example', 0x0303, 'G1226'))
    await a.settle()
    await b.settle()
    // B read A's rows back; A learns B's at its next flush.
    await a.settle()
    for (const [name, census] of [['A', a], ['B', b]] as const) {
      const rows = census.clients()
      t.equal(rows.length, 2, `${name}: the legacy row and the TLS 1.2 row`)
      const old = rows.find((r) => r.maxVersionOffered === 'TLSv1')
      t.match(old, { ip: '192.0.2.10', offered: { TLSv1: 3 }, outcomes: { failure: 3 }, firstSeen: at, lastSeen: at + 2, status: 'migrating', identity: 'G1226' }, `${name}: both instances' attempts on one row`)
      t.same(census.summary().addresses, { 'legacy-only': 0, migrating: 1, ready: 0, other: 0 })
    }
    const stored = (await pool().query('SELECT count(*)::int AS n, sum((offered->>\'TLSv1\')::int)::int AS tls10 FROM sne_census_clients')).rows[0]
    t.same(stored, { n: 2, tls10: 3 }, 'the table holds the union, each attempt counted once')
    // Flushing again with nothing new changes nothing.
    await a.settle()
    await b.settle()
    t.same((await pool().query('SELECT sum((offered->>\'TLSv1\')::int)::int AS tls10 FROM sne_census_clients')).rows[0], { tls10: 3 })
  })

  t.test('the per-address budget applies to the union, and evictions reach every instance', async (t) => {
    const pool = await database(t)
    const options = { maxRowsPerAddress: 3 }
    const a = await instance(t, pool, options)
    const b = await instance(t, pool, options)
    const at = clock.now()
    a.observe(legacy(at, '192.0.2.20', 'one.example'))
    a.observe(legacy(at + 1, '192.0.2.20', 'two.example'))
    b.observe(legacy(at + 2, '192.0.2.20', 'three.example'))
    b.observe(legacy(at + 3, '192.0.2.20', 'four.example'))
    a.observe(legacy(at + 4, '198.51.100.7', 'other.example'))
    await a.settle()
    await b.settle()
    const snis = (c: Census): string[] => c.clients().filter((r) => r.ip === '192.0.2.20').map((r) => r.sni!).sort()
    t.same(snis(b), ['four.example', 'three.example', 'two.example'], 'B holds 3 rows of the address: the oldest went')
    await a.settle()
    // The delete reaches the table at B's next flush; A forgets the row at its next full read.
    await b.settle()
    const table = (await pool().query<{ sni: string }>('SELECT sni FROM sne_census_clients WHERE ip = $1 ORDER BY sni', ['192.0.2.20'])).rows.map((r) => r.sni)
    t.same(table, ['four.example', 'three.example', 'two.example'], 'the table holds the budget')
    for (let i = 0; i < 12; i++) await a.settle()
    t.same(snis(a), ['four.example', 'three.example', 'two.example'], 'A too, after a full read')
    t.equal(a.clients().filter((r) => r.ip === '198.51.100.7').length, 1, 'the other address kept its row')
  })

  t.test('one readiness point per interval for all instances', async (t) => {
    const pool = await database(t)
    const options = { snapshotIntervalMs: HOUR }
    const a = await instance(t, pool, options)
    const b = await instance(t, pool, options)
    a.observe(legacy(clock.now(), '192.0.2.30'))
    await a.settle()
    await b.settle()
    t.equal(b.history().length, 1, 'B saw A\'s point and made none')
    clock.advance(HOUR)
    await b.settle()
    await a.settle()
    const points = (await pool().query<{ n: number }>('SELECT count(*)::int AS n FROM sne_census_readiness')).rows[0]!.n
    t.equal(points, 2, 'two intervals, two points')
    t.same(a.history().map((p) => p.legacyOnly), [0, 1], 'the point at start (nothing seen yet), then the interval\'s')
    t.same(b.history(), a.history(), 'both instances show the same history')
  })

  t.test('an outage: counting goes on in memory, nothing lost or counted twice, health says so', async (t) => {
    const pool = await database(t)
    const health = new StoreHealth('postgresql')
    const a = await instance(t, pool, {}, health)
    const at = clock.now()
    a.observe(legacy(at, '192.0.2.40'))
    await a.settle()
    cluster.stop()
    try {
      a.observe(legacy(at + 1, '192.0.2.40'))
      await a.settle()
      t.equal(health.up, false, 'the census store is down')
      a.observe(legacy(at + 2, '192.0.2.40'))
      await a.settle()
      t.match(a.clients()[0], { offered: { TLSv1: 3 } }, 'memory counts on')
    } finally {
      cluster.start()
    }
    for (let i = 0; i < 50 && !health.up; i++) {
      await a.settle()
      if (!health.up) await new Promise((resolve) => setTimeout(resolve, 100))
    }
    t.equal(health.up, true, 'back up without a restart')
    const tls10 = (await pool().query('SELECT (offered->>\'TLSv1\')::int AS n FROM sne_census_clients WHERE ip = $1', ['192.0.2.40'])).rows[0]
    t.same(tls10, { n: 3 }, 'the two attempts counted during the outage reached the table once')
    t.match(a.clients()[0], { offered: { TLSv1: 3 } })
  })
}
