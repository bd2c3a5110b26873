/**
 * The idempotency store in PostgreSQL, shared by every gateway instance of a deployment
 * (`store.url`): the same records and transitions as the embedded SQLite store (`sqlite-store.ts`),
 * each one statement that PostgreSQL commits durably before it answers (`synchronous_commit` on,
 * its default): a key's row is on disk before its call is sent, and every instance sees it — a
 * retry on another instance while the call is in flight is a 409 there too, and a row left `sent`
 * by an instance that died is taken over by the next retry on any instance (its lease ended).
 * The table comes from the store's migrations (`store/migrations.ts`).
 */
import type pg from 'pg'
import { codes } from './errors.js'
import { changedKeys, columnValue, COLUMNS, recordOf, type RecordRow } from './rows.js'
import type { StoreObserver } from '../store/health.js'
import { statementName } from '../store/statements.js'
import type { IdempotencyRecord, IdempotencyScope, IdempotencyStore } from './store.js'

const KEY = 'identity = $1 AND env = $2 AND idem_key = $3'

export interface PostgresStoreOptions {
  /** seconds a refused write tells its client to wait (Retry-After) */
  retryAfterSeconds: number
  /** told of each statement's outcome (health, metrics) */
  observer?: StoreObserver
}

/** The idempotency store on `pool` (the schema already migrated). Closing it does not end the pool. */
export function postgresIdempotencyStore (pool: pg.Pool, options: PostgresStoreOptions): IdempotencyStore {
  /** Runs a statement; a database failure becomes a 503 with Retry-After for the caller. */
  const query = async <R extends pg.QueryResultRow = RecordRow>(what: string, text: string, values: unknown[]): Promise<pg.QueryResult<R>> => {
    let result: pg.QueryResult<R>
    try {
      result = await pool.query<R>({ name: statementName(text), text, values })
    } catch (err) {
      const code = (err as { code?: string }).code ?? 'error'
      options.observer?.failed(what, code)
      throw new codes.GW_STORE_UNAVAILABLE(`${what} failed (${code})`, { cause: err, retryAfterSeconds: options.retryAfterSeconds })
    }
    options.observer?.ok()
    return result
  }

  /** The record of `scope`, read as part of `what`. */
  const select = async (what: string, scope: IdempotencyScope): Promise<IdempotencyRecord | undefined> => {
    const row = (await query(what, `SELECT * FROM sne_idempotency_keys WHERE ${KEY}`, [scope.identity, scope.env, scope.key])).rows[0]
    return row === undefined ? undefined : recordOf(row)
  }

  return {
    async begin (record) {
      const { scope } = record
      // Inserted, or the row that holds the key. A row committed by another instance between this
      // statement's snapshot and its insert is invisible to the SELECT: then ask again.
      for (let attempt = 0; attempt < 3; attempt++) {
        const inserted = await query('begin', `INSERT INTO sne_idempotency_keys
          (identity, env, idem_key, fingerprint, state, route, guichet, created_at, sent_at, attempts, owner, lease_until, reconciliation)
          VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
          ON CONFLICT (identity, env, idem_key) DO NOTHING`,
        [scope.identity, scope.env, scope.key, record.fingerprint, record.state, record.route, record.guichet, record.createdAt, record.sentAt ?? null,
          record.attempts, record.owner, record.leaseUntil, record.reconciliation === undefined ? null : JSON.stringify(record.reconciliation)])
        if (inserted.rowCount === 1) return { created: true as const }
        const existing = await select('begin', scope)
        if (existing !== undefined) return { created: false as const, existing }
        // Purged between the two statements: the key is free again.
      }
      throw new codes.GW_STORE_UNAVAILABLE('begin failed (the key kept changing)', { retryAfterSeconds: options.retryAfterSeconds })
    },
    async update (scope, owner, changes) {
      const keys = changedKeys(changes)
      if (keys.length === 0) return (await select('update', scope))?.owner === owner
      const sets = keys.map((k, i) => `${COLUMNS[k]} = $${i + 5}`).join(', ')
      const result = await query('update', `UPDATE sne_idempotency_keys SET ${sets} WHERE ${KEY} AND owner = $4`,
        [scope.identity, scope.env, scope.key, owner, ...keys.map((k) => columnValue(k, changes[k]))])
      return result.rowCount === 1
    },
    async takeOver (scope, expectedOwner, now, owner, leaseUntil) {
      const result = await query('takeOver', `UPDATE sne_idempotency_keys SET owner = $6, lease_until = $7 WHERE ${KEY} AND owner = $4 AND lease_until <= $5`,
        [scope.identity, scope.env, scope.key, expectedOwner, now, owner, leaseUntil])
      return result.rowCount === 1
    },
    async release (scope, owner) {
      await query('release', `DELETE FROM sne_idempotency_keys WHERE ${KEY} AND owner = $4`, [scope.identity, scope.env, scope.key, owner])
    },
    async get (scope) {
      return await select('get', scope)
    },
    async unknownOutcomes (now, limit) {
      const rows = (await query('list', `SELECT * FROM sne_idempotency_keys
        WHERE state = 'unknown' OR (state = 'sent' AND lease_until <= $1) ORDER BY created_at LIMIT $2`, [now, limit])).rows
      return rows.map(recordOf)
    },
    async purge (before) {
      return (await query('purge', 'DELETE FROM sne_idempotency_keys WHERE created_at < $1', [before])).rowCount ?? 0
    },
    async close () {}
  }
}
