/**
 * The census's embedded store: SQLite through better-sqlite3, in WAL mode. It holds the client
 * rows (one per IP + JA4 + SNI) and the readiness history. Only `census.ts` calls it, and only from
 * its flush (on an interval and on close): never on a connection's path.
 *
 * `synchronous = NORMAL`: a committed batch survives a process crash (the WAL is written before the
 * commit returns); a power loss may lose the last batches, which a census can afford.
 */
import Database from 'better-sqlite3'
import { preparePrivateFile } from '../tls/secret-files.js'
import { codes } from './errors.js'

/** One client row as stored (times in ms since the epoch). */
export interface StoredClient {
  ip: string
  /** '' for connections without a ClientHello */
  ja4: string
  /** '' without SNI */
  sni: string
  ja3Hash: string | undefined
  firstSeen: number
  lastSeen: number
  /** attempts by highest offered version name (`TLSv1`, `TLSv1.2`…) */
  offered: Record<string, number>
  /** connections by outcome (`success`, `failure`, `rejected`) */
  outcomes: Record<string, number>
  /** highest offered version code seen on this row, -1 when none */
  maxOffered: number
  firstLegacy: number | undefined
  lastLegacy: number | undefined
  lastSuccess: number | undefined
  lastSuccessVersion: string | undefined
  lastFailure: number | undefined
  lastFailureReason: string | undefined
  identity: string | undefined
}

/** A row's key in the census. */
export interface ClientKey { ip: string, ja4: string, sni: string }

/** Counts of clients by readiness at one instant. */
export interface ReadinessPoint {
  at: number
  legacyOnly: number
  migrating: number
  ready: number
  other: number
}

const SCHEMA_VERSION = '1'

const SCHEMA = `
CREATE TABLE IF NOT EXISTS census_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS census_clients (
  ip TEXT NOT NULL,
  ja4 TEXT NOT NULL,
  sni TEXT NOT NULL,
  ja3_hash TEXT,
  first_seen INTEGER NOT NULL,
  last_seen INTEGER NOT NULL,
  offered TEXT NOT NULL,
  outcomes TEXT NOT NULL,
  max_offered INTEGER NOT NULL,
  first_legacy INTEGER,
  last_legacy INTEGER,
  last_success INTEGER,
  last_success_version TEXT,
  last_failure INTEGER,
  last_failure_reason TEXT,
  identity TEXT,
  PRIMARY KEY (ip, ja4, sni)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS census_clients_last_seen ON census_clients (last_seen);
CREATE TABLE IF NOT EXISTS census_readiness (
  at INTEGER PRIMARY KEY,
  legacy_only INTEGER NOT NULL,
  migrating INTEGER NOT NULL,
  ready INTEGER NOT NULL,
  other INTEGER NOT NULL
);
`

interface ClientRow {
  ip: string
  ja4: string
  sni: string
  ja3_hash: string | null
  first_seen: number
  last_seen: number
  offered: string
  outcomes: string
  max_offered: number
  first_legacy: number | null
  last_legacy: number | null
  last_success: number | null
  last_success_version: string | null
  last_failure: number | null
  last_failure_reason: string | null
  identity: string | null
}

interface PointRow { at: number, legacy_only: number, migrating: number, ready: number, other: number }

/** A column's NULL as undefined (both stores). */
export const orUndefined = <T>(v: T | null): T | undefined => v === null ? undefined : v
const orNull = <T>(v: T | undefined): T | null => v === undefined ? null : v

/** The finite numbers of a stored counts object, by key; anything else is dropped (both stores). */
export function countsOf (value: unknown): Record<string, number> {
  const out: Record<string, number> = {}
  if (typeof value !== 'object' || value === null) return out
  for (const [k, v] of Object.entries(value)) if (typeof v === 'number' && Number.isFinite(v)) out[k] = v
  return out
}

function parseCounts (text: string): Record<string, number> {
  try {
    return countsOf(JSON.parse(text))
  } catch {
    return {}
  }
}

/** A batch of changes written in one transaction. */
export interface CensusBatch {
  upserts: Iterable<StoredClient>
  /** keys of evicted rows */
  deletes: Iterable<ClientKey>
  point?: ReadinessPoint | undefined
  /** history rows kept (the oldest go first) */
  maxPoints: number
}

export interface CensusStore {
  /** every stored client, least recently seen first */
  loadClients (): StoredClient[]
  /** the readiness history, oldest first */
  loadHistory (): ReadinessPoint[]
  write (batch: CensusBatch): void
  close (): void
}

/** Opens (creating it and its folder when needed) the store at `file`; `':memory:'` keeps nothing across restarts. */
export function openCensusStore (file: string): CensusStore {
  let db: Database.Database
  try {
    // Client addresses and identities: the gateway's user only.
    if (file !== ':memory:') preparePrivateFile(file)
    db = new Database(file)
    if (file !== ':memory:') db.pragma('journal_mode = WAL')
    db.pragma('synchronous = NORMAL')
    db.exec(SCHEMA)
    const version = db.prepare('SELECT value FROM census_meta WHERE key = ?').pluck().get('schema') as string | undefined
    if (version === undefined) db.prepare('INSERT INTO census_meta (key, value) VALUES (?, ?)').run('schema', SCHEMA_VERSION)
    else if (version !== SCHEMA_VERSION) throw new Error(`schema version ${version}, this gateway knows ${SCHEMA_VERSION}`)
  } catch (err) {
    throw new codes.GW_TLS_CENSUS_STORE(file, (err as Error).message, { cause: err })
  }

  const upsert = db.prepare(`
    INSERT INTO census_clients (ip, ja4, sni, ja3_hash, first_seen, last_seen, offered, outcomes, max_offered,
      first_legacy, last_legacy, last_success, last_success_version, last_failure, last_failure_reason, identity)
    VALUES (@ip, @ja4, @sni, @ja3_hash, @first_seen, @last_seen, @offered, @outcomes, @max_offered,
      @first_legacy, @last_legacy, @last_success, @last_success_version, @last_failure, @last_failure_reason, @identity)
    ON CONFLICT (ip, ja4, sni) DO UPDATE SET ja3_hash = excluded.ja3_hash, first_seen = excluded.first_seen,
      last_seen = excluded.last_seen, offered = excluded.offered, outcomes = excluded.outcomes,
      max_offered = excluded.max_offered, first_legacy = excluded.first_legacy, last_legacy = excluded.last_legacy,
      last_success = excluded.last_success, last_success_version = excluded.last_success_version,
      last_failure = excluded.last_failure, last_failure_reason = excluded.last_failure_reason, identity = excluded.identity`)
  const remove = db.prepare('DELETE FROM census_clients WHERE ip = ? AND ja4 = ? AND sni = ?')
  const addPoint = db.prepare('INSERT OR REPLACE INTO census_readiness (at, legacy_only, migrating, ready, other) VALUES (?, ?, ?, ?, ?)')
  const trimPoints = db.prepare('DELETE FROM census_readiness WHERE at NOT IN (SELECT at FROM census_readiness ORDER BY at DESC LIMIT ?)')

  const writeBatch = db.transaction((batch: CensusBatch) => {
    for (const key of batch.deletes) remove.run(key.ip, key.ja4, key.sni)
    for (const c of batch.upserts) {
      upsert.run({
        ip: c.ip,
        ja4: c.ja4,
        sni: c.sni,
        ja3_hash: orNull(c.ja3Hash),
        first_seen: c.firstSeen,
        last_seen: c.lastSeen,
        offered: JSON.stringify(c.offered),
        outcomes: JSON.stringify(c.outcomes),
        max_offered: c.maxOffered,
        first_legacy: orNull(c.firstLegacy),
        last_legacy: orNull(c.lastLegacy),
        last_success: orNull(c.lastSuccess),
        last_success_version: orNull(c.lastSuccessVersion),
        last_failure: orNull(c.lastFailure),
        last_failure_reason: orNull(c.lastFailureReason),
        identity: orNull(c.identity)
      })
    }
    if (batch.point !== undefined) {
      const p = batch.point
      addPoint.run(p.at, p.legacyOnly, p.migrating, p.ready, p.other)
      trimPoints.run(batch.maxPoints)
    }
  })

  return {
    loadClients () {
      const rows = db.prepare('SELECT * FROM census_clients ORDER BY last_seen ASC').all() as ClientRow[]
      return rows.map((r) => ({
        ip: r.ip,
        ja4: r.ja4,
        sni: r.sni,
        ja3Hash: orUndefined(r.ja3_hash),
        firstSeen: r.first_seen,
        lastSeen: r.last_seen,
        offered: parseCounts(r.offered),
        outcomes: parseCounts(r.outcomes),
        maxOffered: r.max_offered,
        firstLegacy: orUndefined(r.first_legacy),
        lastLegacy: orUndefined(r.last_legacy),
        lastSuccess: orUndefined(r.last_success),
        lastSuccessVersion: orUndefined(r.last_success_version),
        lastFailure: orUndefined(r.last_failure),
        lastFailureReason: orUndefined(r.last_failure_reason),
        identity: orUndefined(r.identity)
      }))
    },
    loadHistory () {
      const rows = db.prepare('SELECT * FROM census_readiness ORDER BY at ASC').all() as PointRow[]
      return rows.map((r) => ({ at: r.at, legacyOnly: r.legacy_only, migrating: r.migrating, ready: r.ready, other: r.other }))
    },
    write (batch) {
      writeBatch(batch)
    },
    close () {
      if (db.open) db.close()
    }
  }
}
