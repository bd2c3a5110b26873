/**
 * The census in the shared store (`store.url`): one table of client rows and one of readiness
 * points that every gateway instance of a deployment writes to and reads back, so that the ops
 * API, CSV and page of any instance show the union of what all of them saw.
 *
 * Instances never overwrite each other's counts: each sends what it saw **since its last flush**
 * (a delta row per client), and the upsert adds it to the stored row — counts summed per key,
 * first times the least, last times the greatest, the latest success's version and identity, the
 * latest failure's reason (`mergeClient` is the same rule in memory). Each upsert takes the next
 * value of `sne_census_seq`, which lets an instance read back only the rows changed since its last
 * read. A sequence value is taken when a statement runs, not when it commits, so a read may pass
 * over a row whose transaction commits just after it: the periodic full read (`census.ts`) catches
 * it up. Rows and deletes of one flush go in one transaction, keys in one order (no deadlock
 * between two instances flushing the same clients).
 *
 * The tables and the `sne_census_sum` function come from the store's migrations.
 */
import type pg from 'pg'
import type { StoreObserver } from '../store/health.js'
import { statementName } from '../store/statements.js'
import { countsOf, orUndefined, type ClientKey, type ReadinessPoint, type StoredClient } from './census-store.js'

/** Rows read back, and the highest sequence value among them. */
export interface PulledClients {
  rows: StoredClient[]
  seq: number
}

/** The census's shared store (PostgreSQL), asynchronous: used from the census's flush only. */
export interface SharedCensusStore {
  /** adds each delta to its stored row (inserting new ones) and deletes `deletes`, in one transaction */
  merge (deltas: readonly StoredClient[], deletes: readonly ClientKey[]): Promise<void>
  /** rows changed after `seq`, in sequence order */
  changedSince (seq: number): Promise<PulledClients>
  /** every row, least recently seen first */
  loadAll (): Promise<PulledClients>
  /** records `point` unless another instance recorded one less than `minGapMs` before it; keeps the newest `maxPoints` */
  addPoint (point: ReadinessPoint, minGapMs: number, maxPoints: number): Promise<void>
  /** the newest `maxPoints` points, oldest first */
  loadHistory (maxPoints: number): Promise<ReadinessPoint[]>
}

/** Serializes the readiness points of all instances (an advisory lock key of this project). */
const POINT_LOCK = 0x736e6563

const COLUMNS = `ip, ja4, sni, ja3_hash, first_seen, last_seen, offered, outcomes, max_offered, first_legacy, last_legacy,
  last_success, last_success_version, last_failure, last_failure_reason, identity`

const MERGE = `INSERT INTO sne_census_clients AS t (${COLUMNS}, seq)
SELECT ${COLUMNS}, nextval('sne_census_seq')
FROM jsonb_to_recordset($1::jsonb) AS r (ip text, ja4 text, sni text, ja3_hash text, first_seen bigint, last_seen bigint,
  offered jsonb, outcomes jsonb, max_offered integer, first_legacy bigint, last_legacy bigint, last_success bigint,
  last_success_version text, last_failure bigint, last_failure_reason text, identity text)
ORDER BY ip, ja4, sni
ON CONFLICT (ip, ja4, sni) DO UPDATE SET
  ja3_hash = COALESCE(t.ja3_hash, excluded.ja3_hash),
  first_seen = LEAST(t.first_seen, excluded.first_seen),
  last_seen = GREATEST(t.last_seen, excluded.last_seen),
  offered = sne_census_sum(t.offered, excluded.offered),
  outcomes = sne_census_sum(t.outcomes, excluded.outcomes),
  max_offered = GREATEST(t.max_offered, excluded.max_offered),
  first_legacy = LEAST(t.first_legacy, excluded.first_legacy),
  last_legacy = GREATEST(t.last_legacy, excluded.last_legacy),
  last_success = GREATEST(t.last_success, excluded.last_success),
  last_success_version = CASE WHEN excluded.last_success >= t.last_success OR t.last_success IS NULL
    THEN COALESCE(excluded.last_success_version, t.last_success_version) ELSE t.last_success_version END,
  identity = CASE WHEN excluded.identity IS NOT NULL AND (excluded.last_success >= t.last_success OR t.last_success IS NULL)
    THEN excluded.identity ELSE COALESCE(t.identity, excluded.identity) END,
  last_failure = GREATEST(t.last_failure, excluded.last_failure),
  last_failure_reason = CASE WHEN excluded.last_failure >= t.last_failure OR t.last_failure IS NULL
    THEN COALESCE(excluded.last_failure_reason, t.last_failure_reason) ELSE t.last_failure_reason END,
  seq = excluded.seq`

const DELETE = `DELETE FROM sne_census_clients AS t USING (
  SELECT ip, ja4, sni FROM jsonb_to_recordset($1::jsonb) AS d (ip text, ja4 text, sni text) ORDER BY ip, ja4, sni) AS d
WHERE t.ip = d.ip AND t.ja4 = d.ja4 AND t.sni = d.sni`

interface ClientRow {
  ip: string
  ja4: string
  sni: string
  ja3_hash: string | null
  first_seen: string
  last_seen: string
  offered: Record<string, number>
  outcomes: Record<string, number>
  max_offered: number
  first_legacy: string | null
  last_legacy: string | null
  last_success: string | null
  last_success_version: string | null
  last_failure: string | null
  last_failure_reason: string | null
  identity: string | null
  seq: string
}

// bigint columns come back as strings (node-postgres keeps int8 exact): times are ms, safe integers.
const time = (v: string | null): number | undefined => v === null ? undefined : Number(v)

function clientOf (r: ClientRow): StoredClient {
  return {
    ip: r.ip,
    ja4: r.ja4,
    sni: r.sni,
    ja3Hash: orUndefined(r.ja3_hash),
    firstSeen: Number(r.first_seen),
    lastSeen: Number(r.last_seen),
    offered: countsOf(r.offered),
    outcomes: countsOf(r.outcomes),
    maxOffered: r.max_offered,
    firstLegacy: time(r.first_legacy),
    lastLegacy: time(r.last_legacy),
    lastSuccess: time(r.last_success),
    lastSuccessVersion: orUndefined(r.last_success_version),
    lastFailure: time(r.last_failure),
    lastFailureReason: orUndefined(r.last_failure_reason),
    identity: orUndefined(r.identity)
  }
}

/** A delta as `jsonb_to_recordset` reads it (undefined fields become SQL NULL). */
function recordOf (c: StoredClient): Record<string, unknown> {
  return {
    ip: c.ip,
    ja4: c.ja4,
    sni: c.sni,
    ja3_hash: c.ja3Hash,
    first_seen: c.firstSeen,
    last_seen: c.lastSeen,
    offered: c.offered,
    outcomes: c.outcomes,
    max_offered: c.maxOffered,
    first_legacy: c.firstLegacy,
    last_legacy: c.lastLegacy,
    last_success: c.lastSuccess,
    last_success_version: c.lastSuccessVersion,
    last_failure: c.lastFailure,
    last_failure_reason: c.lastFailureReason,
    identity: c.identity
  }
}

function pulled (rows: ClientRow[]): PulledClients {
  let seq = 0
  for (const r of rows) seq = Math.max(seq, Number(r.seq))
  return { rows: rows.map(clientOf), seq }
}

/** The census store on `pool` (the schema already migrated); `observer` hears each statement's outcome. */
export function postgresCensusStore (pool: pg.Pool, observer?: StoreObserver): SharedCensusStore {
  /** Runs `work` on one connection; reports the outcome as `operation`. */
  const run = async <T>(operation: string, work: (client: pg.PoolClient) => Promise<T>): Promise<T> => {
    let client: pg.PoolClient | undefined
    // A checked-out client's connection that breaks emits 'error' on the client, which the pool
    // only listens to while the client is idle: without this listener it would end the process.
    const broken = (): void => {}
    let failure: unknown
    try {
      client = await pool.connect()
      client.on('error', broken)
      const result = await work(client)
      observer?.ok()
      return result
    } catch (err) {
      failure = err
      observer?.failed(operation, (err as { code?: string }).code ?? 'error')
      throw err
    } finally {
      client?.off('error', broken)
      // Given the error, the pool discards the client instead of lending it again.
      client?.release(failure === undefined ? undefined : failure as Error)
    }
  }

  /** `statements` in one transaction, rolled back when one fails. */
  const transaction = async (operation: string, statements: (client: pg.PoolClient) => Promise<void>): Promise<void> => {
    await run(operation, async (client) => {
      await client.query('BEGIN')
      try {
        await statements(client)
        await client.query('COMMIT')
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {})
        throw err
      }
    })
  }

  return {
    async merge (deltas, deletes) {
      if (deltas.length === 0 && deletes.length === 0) return
      await transaction('census merge', async (client) => {
        if (deletes.length > 0) await client.query({ name: statementName(DELETE), text: DELETE, values: [JSON.stringify(deletes.map((k) => ({ ip: k.ip, ja4: k.ja4, sni: k.sni })))] })
        if (deltas.length > 0) await client.query({ name: statementName(MERGE), text: MERGE, values: [JSON.stringify(deltas.map(recordOf))] })
      })
    },
    async changedSince (seq) {
      return await run('census read', async (client) => pulled((await client.query<ClientRow>(`SELECT ${COLUMNS}, seq FROM sne_census_clients WHERE seq > $1 ORDER BY seq`, [seq])).rows))
    },
    async loadAll () {
      return await run('census read', async (client) => pulled((await client.query<ClientRow>(`SELECT ${COLUMNS}, seq FROM sne_census_clients ORDER BY last_seen, seq`)).rows))
    },
    async addPoint (point, minGapMs, maxPoints) {
      await transaction('census history', async (client) => {
        await client.query('SELECT pg_advisory_xact_lock($1)', [POINT_LOCK])
        await client.query(`INSERT INTO sne_census_readiness (at, legacy_only, migrating, ready, other)
          SELECT $1::bigint, $2::integer, $3::integer, $4::integer, $5::integer
          WHERE NOT EXISTS (SELECT 1 FROM sne_census_readiness WHERE at > $1::bigint - $6::bigint)
          ON CONFLICT (at) DO NOTHING`, [point.at, point.legacyOnly, point.migrating, point.ready, point.other, minGapMs])
        await client.query('DELETE FROM sne_census_readiness WHERE at NOT IN (SELECT at FROM sne_census_readiness ORDER BY at DESC LIMIT $1)', [maxPoints])
      })
    },
    async loadHistory (maxPoints) {
      return await run('census read', async (client) => {
        const rows = (await client.query<{ at: string, legacy_only: number, migrating: number, ready: number, other: number }>(
          'SELECT * FROM (SELECT * FROM sne_census_readiness ORDER BY at DESC LIMIT $1) AS newest ORDER BY at', [maxPoints])).rows
        return rows.map((r) => ({ at: Number(r.at), legacyOnly: r.legacy_only, migrating: r.migrating, ready: r.ready, other: r.other }))
      })
    }
  }
}
