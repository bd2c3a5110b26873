/**
 * The shared store's schema, as versioned migrations applied at start.
 *
 * Rules, so that a rolling update can run two releases against one database:
 * - a migration is **additive**: new tables, columns with defaults, indexes — never a DROP, a
 *   RENAME or a type change that the previous release would trip on (a test reads every one);
 * - versions only grow; a migration, once released, never changes (its checksum is stored and
 *   compared at each start);
 * - they run at start under a PostgreSQL advisory lock, each in its own transaction: instances
 *   starting together wait for each other, and a crash mid-way leaves the last version whole;
 * - a gateway refuses to start on a schema newer than its own migrations (`GW_STORE_SCHEMA_NEWER`):
 *   an older release cannot know what a newer one relies on.
 */
import { createHash } from 'node:crypto'
import type pg from 'pg'
import { codes } from './errors.js'

export interface Migration {
  version: number
  description: string
  sql: string
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'idempotency keys of the REST writes',
    sql: `
CREATE TABLE IF NOT EXISTS sne_idempotency_keys (
  identity text NOT NULL,
  env text NOT NULL,
  idem_key text NOT NULL,
  fingerprint text NOT NULL,
  state text NOT NULL,
  route text NOT NULL,
  guichet text NOT NULL,
  created_at bigint NOT NULL,
  sent_at bigint,
  attempts integer NOT NULL DEFAULT 0,
  owner text NOT NULL,
  lease_until bigint NOT NULL,
  status integer,
  location text,
  num_unique text,
  reconciliation jsonb,
  PRIMARY KEY (identity, env, idem_key)
);
CREATE INDEX IF NOT EXISTS sne_idempotency_keys_created ON sne_idempotency_keys (created_at);
CREATE INDEX IF NOT EXISTS sne_idempotency_keys_state ON sne_idempotency_keys (state, sent_at);
`
  },
  {
    version: 2,
    description: 'audit records of every instance',
    sql: `
CREATE TABLE IF NOT EXISTS sne_audit_records (
  id text PRIMARY KEY,
  time timestamptz NOT NULL,
  instance text NOT NULL,
  record jsonb NOT NULL
);
CREATE INDEX IF NOT EXISTS sne_audit_records_time ON sne_audit_records (time);
`
  },
  {
    version: 3,
    description: 'legacy-TLS census rows and readiness history of every instance',
    sql: `
CREATE SEQUENCE IF NOT EXISTS sne_census_seq;
CREATE TABLE IF NOT EXISTS sne_census_clients (
  ip text NOT NULL,
  ja4 text NOT NULL,
  sni text NOT NULL,
  ja3_hash text,
  first_seen bigint NOT NULL,
  last_seen bigint NOT NULL,
  offered jsonb NOT NULL,
  outcomes jsonb NOT NULL,
  max_offered integer NOT NULL,
  first_legacy bigint,
  last_legacy bigint,
  last_success bigint,
  last_success_version text,
  last_failure bigint,
  last_failure_reason text,
  identity text,
  seq bigint NOT NULL,
  PRIMARY KEY (ip, ja4, sni)
);
CREATE INDEX IF NOT EXISTS sne_census_clients_seq ON sne_census_clients (seq);
CREATE INDEX IF NOT EXISTS sne_census_clients_last_seen ON sne_census_clients (last_seen);
CREATE TABLE IF NOT EXISTS sne_census_readiness (
  at bigint PRIMARY KEY,
  legacy_only integer NOT NULL,
  migrating integer NOT NULL,
  ready integer NOT NULL,
  other integer NOT NULL
);
CREATE OR REPLACE FUNCTION sne_census_sum (a jsonb, b jsonb) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
  SELECT COALESCE(jsonb_object_agg(key, total), '{}'::jsonb)
  FROM (SELECT key, sum(value::numeric) AS total
        FROM (SELECT * FROM jsonb_each_text(a) UNION ALL SELECT * FROM jsonb_each_text(b)) AS counts
        GROUP BY key) AS sums
$$;
`
  }
]

/** The advisory lock the migrations run under: a constant of this project ("sne-gateway" in ASCII, folded). */
export const MIGRATION_LOCK = 0x736e6567

const checksum = (m: Migration): string => createHash('sha256').update(m.sql).digest('hex')

export interface MigrationResult {
  /** versions applied by this call */
  applied: number[]
  /** the schema's version afterwards */
  version: number
}

/** Brings the database to the latest of `migrations`, or refuses a newer one. */
export async function migrate (pool: pg.Pool, migrations: readonly Migration[] = MIGRATIONS): Promise<MigrationResult> {
  const latest = migrations.reduce((max, m) => Math.max(max, m.version), 0)
  const client = await pool.connect()
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK])
    try {
      await client.query(`CREATE TABLE IF NOT EXISTS sne_schema_migrations (
        version integer PRIMARY KEY,
        description text NOT NULL,
        checksum text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`)
      const done = new Map<number, string>()
      for (const row of (await client.query<{ version: number, checksum: string }>('SELECT version, checksum FROM sne_schema_migrations')).rows) done.set(row.version, row.checksum)
      const current = Math.max(0, ...done.keys())
      if (current > latest) throw new codes.GW_STORE_SCHEMA_NEWER(current, latest)
      const applied: number[] = []
      for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
        const known = done.get(m.version)
        if (known !== undefined) {
          if (known !== checksum(m)) throw new codes.GW_STORE_START_FAILED(`migration ${m.version} (${m.description}) differs from the one applied to the database`)
          continue
        }
        await client.query('BEGIN')
        try {
          await client.query(m.sql)
          await client.query('INSERT INTO sne_schema_migrations (version, description, checksum) VALUES ($1, $2, $3)', [m.version, m.description, checksum(m)])
          await client.query('COMMIT')
        } catch (err) {
          await client.query('ROLLBACK')
          throw err
        }
        applied.push(m.version)
      }
      return { applied, version: Math.max(current, latest) }
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK])
    }
  } finally {
    client.release()
  }
}
