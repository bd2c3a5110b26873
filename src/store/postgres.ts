/**
 * The shared store: one PostgreSQL database that every instance of a deployment uses for what
 * must be the same on all of them (`store.url`). At start: a pool, then the migrations under their
 * advisory lock (`migrations.ts`), then the stores built on the pool. Without `store.url` the
 * gateway keeps its embedded SQLite stores and files: one process, no server to run.
 *
 * A store outage after start is not fatal: the pool reconnects by itself, each statement fails
 * fast (connection and statement timeouts) and the callers answer 503 with Retry-After.
 */
import pg from 'pg'
import type { Logger } from 'pino'
import { postgresIdempotencyStore } from '../idempotency/postgres-store.js'
import type { IdempotencyStore } from '../idempotency/store.js'
import { codes } from './errors.js'
import type { StoreObserver } from './health.js'
import { migrate, type MigrationResult } from './migrations.js'

export interface SharedStoreConfig {
  url: string
  poolSize: number
  connectTimeoutMs: number
  statementTimeoutMs: number
  retryAfterSeconds: number
}

export interface SharedStore {
  idempotency: IdempotencyStore
  migration: MigrationResult
  /** the pool, for health checks and tests */
  pool: pg.Pool
  close: () => Promise<void>
}

/** The URL without its password, for logs and errors. */
export function redactedUrl (url: string): string {
  try {
    const u = new URL(url)
    if (u.password !== '') u.password = '***'
    return u.toString()
  } catch {
    return '(not a URL)'
  }
}

export async function openSharedStore (config: SharedStoreConfig, logger: Logger, observer?: StoreObserver): Promise<SharedStore> {
  const pool = new pg.Pool({
    connectionString: config.url,
    max: config.poolSize,
    connectionTimeoutMillis: config.connectTimeoutMs,
    statement_timeout: config.statementTimeoutMs,
    query_timeout: config.statementTimeoutMs + 1000,
    application_name: 'sne-gateway'
  })
  // An idle connection that breaks (server restart, network) must not end the process: the pool
  // drops it and opens another on the next query.
  pool.on('error', (err) => { logger.warn({ code: (err as { code?: string }).code, store: 'postgresql' }, 'shared store connection lost') })
  let migration: MigrationResult
  try {
    migration = await migrate(pool)
  } catch (err) {
    await pool.end().catch(() => {})
    if (err instanceof codes.GW_STORE_SCHEMA_NEWER || err instanceof codes.GW_STORE_START_FAILED) throw err
    throw new codes.GW_STORE_START_FAILED(`${redactedUrl(config.url)}: ${(err as { code?: string }).code ?? (err as Error).message}`, { cause: err })
  }
  logger.info({ store: 'postgresql', url: redactedUrl(config.url), schema: migration.version, applied: migration.applied }, 'shared store ready')
  return {
    idempotency: postgresIdempotencyStore(pool, { retryAfterSeconds: config.retryAfterSeconds, ...(observer === undefined ? {} : { observer }) }),
    migration,
    pool,
    close: async () => { await pool.end() }
  }
}
