/**
 * The embedded idempotency store: SQLite through better-sqlite3, one file per gateway.
 *
 * Crash-safe on purpose, unlike the census, and without blocking the event loop on the disk:
 * WAL mode with `synchronous = NORMAL` (a commit is written to the WAL, not fsynced), then the WAL
 * is fsynced on libuv's thread pool (`group-sync.ts`) before `update`, `takeOver` or `release`
 * resolves — the `sent` record before the message leaves, the answer before it is returned: a crash
 * or a power loss right after cannot lose it. The statements themselves take microseconds on the
 * event loop; the fsync's milliseconds do not, and concurrent writes share one fsync (group
 * commit) instead of queueing one fsync each. `begin` of a `sent` record waits for its fsync as
 * `update` does; of a `received` one it does not: such a record stands for nothing sent yet, and
 * the `sent` flush that must precede any sending makes it durable with itself (the WAL is written
 * in order). SQLite's own checkpoints (every 1,000 WAL
 * pages) still fsync the WAL and the database on the committing thread: two fsyncs per few hundred
 * writes. The file (and the WAL and shared-memory files SQLite creates beside it, which take its
 * mode) is 0600: it holds, until a key is done, the few fields of a demandeur a reconciliation
 * searches on. `:memory:` keeps the records in memory only (tests).
 */
import { closeSync, openSync } from 'node:fs'
import Database from 'better-sqlite3'
import { preparePrivateFile } from '../tls/secret-files.js'
import { codes } from './errors.js'
import { GroupSync, type SyncFn } from './group-sync.js'
import type { StoreObserver } from '../store/health.js'
import { changedKeys, columnValue, COLUMNS, recordOf, type RecordRow } from './rows.js'
import type { IdempotencyScope, IdempotencyStore } from './store.js'

const SCHEMA = `
CREATE TABLE IF NOT EXISTS idempotency_keys (
  identity TEXT NOT NULL,
  env TEXT NOT NULL,
  idem_key TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  state TEXT NOT NULL,
  route TEXT NOT NULL,
  guichet TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  sent_at INTEGER,
  attempts INTEGER NOT NULL DEFAULT 0,
  owner TEXT NOT NULL,
  lease_until INTEGER NOT NULL,
  status INTEGER,
  location TEXT,
  num_unique TEXT,
  reconciliation TEXT,
  PRIMARY KEY (identity, env, idem_key)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS idempotency_keys_created ON idempotency_keys (created_at);
CREATE INDEX IF NOT EXISTS idempotency_keys_state ON idempotency_keys (state, sent_at);
`


export interface SqliteStoreOptions {
  /** how the WAL is fsynced (tests count or fail the calls); default `fdatasync` on the thread pool */
  sync?: SyncFn
  /** told of each operation's outcome (health, metrics) */
  observer?: StoreObserver
}

/** The embedded store as opened: the interface, and its group commit for tests and benchmarks. */
export interface SqliteIdempotencyStore extends IdempotencyStore {
  /** undefined in memory */
  readonly wal: GroupSync | undefined
}

/** Opens (creating when needed) the store at `file`, or in memory for `:memory:`. */
export function openSqliteIdempotencyStore (file: string, options: SqliteStoreOptions = {}): SqliteIdempotencyStore {
  let db: Database.Database
  let opened: Database.Database | undefined
  let wal: GroupSync | undefined
  try {
    if (file !== ':memory:') preparePrivateFile(file)
    db = opened = new Database(file)
    db.pragma('journal_mode = WAL')
    db.pragma('synchronous = NORMAL')
    // Several gateway processes may share the file: wait for a writer rather than fail.
    db.pragma('busy_timeout = 5000')
    db.exec(SCHEMA)
    // SQLite created the WAL when it opened the database in WAL mode, and deletes it only when
    // its last connection closes: this one holds it open as long as the store is.
    if (file !== ':memory:') wal = new GroupSync(openSync(`${file}-wal`, 'r'), options.sync)
  } catch (err) {
    opened?.close()
    throw new codes.GW_STORE_UNAVAILABLE(`${file} cannot be opened (${(err as Error).message})`, { cause: err })
  }

  const insert = db.prepare(`INSERT OR IGNORE INTO idempotency_keys
    (identity, env, idem_key, fingerprint, state, route, guichet, created_at, sent_at, attempts, owner, lease_until, reconciliation)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
  const select = db.prepare<[string, string, string], RecordRow>('SELECT * FROM idempotency_keys WHERE identity = ? AND env = ? AND idem_key = ?')
  const takeOver = db.prepare('UPDATE idempotency_keys SET owner = ?, lease_until = ? WHERE identity = ? AND env = ? AND idem_key = ? AND owner = ? AND lease_until <= ?')
  const release = db.prepare('DELETE FROM idempotency_keys WHERE identity = ? AND env = ? AND idem_key = ? AND owner = ?')
  const unknown = db.prepare<[number, number], RecordRow>(`SELECT * FROM idempotency_keys
    WHERE state = 'unknown' OR (state = 'sent' AND lease_until <= ?) ORDER BY created_at LIMIT ?`)
  const purge = db.prepare('DELETE FROM idempotency_keys WHERE created_at < ?')
  const updates = new Map<string, Database.Statement>()
  let closing: Promise<void> | undefined

  const unavailable = (what: string, err: unknown): Error => {
    const code = (err as { code?: string }).code ?? 'error'
    options.observer?.failed(what, code)
    return new codes.GW_STORE_UNAVAILABLE(`${what} failed (${code})`, { cause: err })
  }

  /** Runs a store operation; a SQLite failure becomes a 503 for the caller. */
  const guarded = <T>(what: string, run: () => T): Promise<T> => {
    try {
      const result = run()
      options.observer?.ok()
      return Promise.resolve(result)
    } catch (err) {
      return Promise.reject(unavailable(what, err))
    }
  }

  /** Runs a write and resolves once it is on disk when `mustSync` says its result needs it. */
  const durableIf = async <T>(what: string, run: () => T, mustSync: (result: T) => boolean): Promise<T> => {
    let ticket = 0
    const result = await guarded(what, () => {
      const r = run()
      if (wal !== undefined) ticket = wal.written()
      return r
    })
    if (mustSync(result) && wal !== undefined) {
      try {
        await wal.flush(ticket)
      } catch (err) {
        throw unavailable(`${what}'s fsync`, err)
      }
    }
    return result
  }
  /** Runs a write and resolves once it is on disk (when it changed anything). */
  const durable = async (what: string, run: () => boolean): Promise<boolean> => await durableIf(what, run, (changed) => changed)

  return {
    wal,
    begin (record) {
      // A `sent` record is on disk before its call leaves; a `received` one goes with the next flush.
      return durableIf('begin', () => {
        const { scope } = record
        const result = insert.run(scope.identity, scope.env, scope.key, record.fingerprint, record.state, record.route, record.guichet, record.createdAt,
          record.sentAt ?? null, record.attempts, record.owner, record.leaseUntil, record.reconciliation === undefined ? null : JSON.stringify(record.reconciliation))
        if (result.changes === 1) return { created: true as const }
        const row = select.get(scope.identity, scope.env, scope.key)
        // Purged between the two statements: the key is free again; the caller retries.
        if (row === undefined) throw Object.assign(new Error('record vanished'), { code: 'VANISHED' })
        return { created: false as const, existing: recordOf(row) }
      }, (begun) => begun.created && record.state === 'sent')
    },
    update (scope, owner, changes) {
      return durable('update', () => {
        const keys = changedKeys(changes)
        const sql = keys.join(',')
        let statement = updates.get(sql)
        if (statement === undefined) {
          statement = db.prepare(`UPDATE idempotency_keys SET ${keys.map((k) => `${COLUMNS[k]} = ?`).join(', ')} WHERE identity = ? AND env = ? AND idem_key = ? AND owner = ?`)
          updates.set(sql, statement)
        }
        return statement.run(...keys.map((k) => columnValue(k, changes[k])), scope.identity, scope.env, scope.key, owner).changes === 1
      })
    },
    takeOver (scope, expectedOwner, now, owner, leaseUntil) {
      return durable('takeOver', () => takeOver.run(owner, leaseUntil, scope.identity, scope.env, scope.key, expectedOwner, now).changes === 1)
    },
    release (scope, owner) {
      return durable('release', () => release.run(scope.identity, scope.env, scope.key, owner).changes === 1).then(() => {})
    },
    get (scope: IdempotencyScope) {
      return guarded('get', () => {
        const row = select.get(scope.identity, scope.env, scope.key)
        return row === undefined ? undefined : recordOf(row)
      })
    },
    unknownOutcomes (now, limit) {
      return guarded('list', () => unknown.all(now, limit).map(recordOf))
    },
    purge (before) {
      return guarded('purge', () => purge.run(before).changes)
    },
    close () {
      closing ??= (async () => {
        await wal?.idle()
        db.close()
        if (wal !== undefined) closeSync(wal.fd)
      })()
      return closing
    }
  }
}
