/**
 * The idempotency records as SQL rows, shared by the embedded (SQLite) and the shared (PostgreSQL)
 * stores: one table layout, the same column names, the same conversions.
 */
import type { IdempotencyChanges, IdempotencyRecord } from './store.js'

/** A row as a driver returns it: PostgreSQL's bigint columns as strings, its jsonb parsed. */
export interface RecordRow {
  identity: string
  env: string
  idem_key: string
  fingerprint: string
  state: IdempotencyRecord['state']
  route: string
  guichet: string
  created_at: number | string
  sent_at: number | string | null
  attempts: number
  owner: string
  lease_until: number | string
  status: number | null
  location: string | null
  num_unique: string | null
  reconciliation: string | IdempotencyRecord['reconciliation'] | null
}

/** The column of each field an update may change. */
export const COLUMNS: Readonly<Record<keyof IdempotencyChanges, string>> = {
  state: 'state',
  guichet: 'guichet',
  sentAt: 'sent_at',
  attempts: 'attempts',
  owner: 'owner',
  leaseUntil: 'lease_until',
  status: 'status',
  location: 'location',
  numUnique: 'num_unique',
  reconciliation: 'reconciliation'
}

/** The fields of `changes` that have a column, in a stable order (one statement per set). */
export function changedKeys (changes: IdempotencyChanges): Array<keyof IdempotencyChanges> {
  return (Object.keys(changes) as Array<keyof IdempotencyChanges>).filter((k) => k in COLUMNS).sort()
}

export function recordOf (row: RecordRow): IdempotencyRecord {
  const reconciliation = typeof row.reconciliation === 'string' ? JSON.parse(row.reconciliation) as IdempotencyRecord['reconciliation'] : row.reconciliation
  return {
    scope: { identity: row.identity, env: row.env, key: row.idem_key },
    fingerprint: row.fingerprint,
    state: row.state,
    route: row.route,
    guichet: row.guichet,
    createdAt: Number(row.created_at),
    sentAt: row.sent_at === null ? undefined : Number(row.sent_at),
    attempts: row.attempts,
    owner: row.owner,
    leaseUntil: Number(row.lease_until),
    status: row.status ?? undefined,
    location: row.location ?? undefined,
    numUnique: row.num_unique ?? undefined,
    reconciliation: reconciliation ?? undefined
  }
}

/** A column's value as the drivers take it (the reconciliation data as JSON text). */
export function columnValue (key: keyof IdempotencyChanges, value: unknown): string | number | null {
  if (value === undefined) return null
  if (key === 'reconciliation') return JSON.stringify(value)
  return value as string | number
}
