/**
 * The idempotency store's interface: one record per (client identity, environment, key), kept
 * from before the call is sent until its retention ends. Every method is asynchronous and speaks
 * plain values, so that a shared implementation (PostgreSQL, for several gateway instances) can
 * stand beside the embedded SQLite one (`sqlite-store.ts`) without a change to its callers.
 *
 * States: `sent` (may have reached the SNE) → `done` (its answer is known and kept: status,
 * Location, numéro unique) or `unknown` (sent, outcome unknown). A key is recorded when its call
 * has been checked, just before it leaves, directly as `sent` (one durable write); `received`
 * (recorded, nothing sent) is what earlier versions wrote first, and is still read and taken over.
 * A record whose call is being handled carries an owner and a lease: another call with the same
 * key is "in flight" until the lease ends, and a lease that ended without the record reaching
 * `done` or `unknown` means the process handling it stopped (a crash between `sent` and `done`).
 */

export type IdempotencyState = 'received' | 'sent' | 'done' | 'unknown'

/** Who the key belongs to: the key is unique per client identity and environment only. */
export interface IdempotencyScope {
  /** the client certificate's identity ('' without one) */
  identity: string
  env: string
  key: string
}

/**
 * What reconciling a creation needs, and nothing more: the demandeur's fields a getDoublons
 * search carries and matches on, the housing sought the search's XSD requires, the acting guichet
 * and the dateCreationDemande the candidates are compared with. Deleted once the key is done.
 */
export interface ReconciliationData {
  guichet: string
  dateCreationDemande: string
  /** the search's `demandeLogement` (numGuichet, dateCreationDemande, demandeur, logementRecherche) */
  search: Record<string, unknown>
}

export interface IdempotencyRecord {
  scope: IdempotencyScope
  /** hex SHA-256 of method, target and canonical body (fingerprint.ts) */
  fingerprint: string
  state: IdempotencyState
  /** the REST route's id (createDemande, updateDemande…) */
  route: string
  /** the acting guichet, for the read-back of a replay */
  guichet: string
  /** ms since the epoch */
  createdAt: number
  /** when the last attempt was sent, ms since the epoch */
  sentAt: number | undefined
  /** attempts sent (1, or 2 after a reconciled resend) */
  attempts: number
  /** the claim of the call handling the record, and until when it holds (ms since the epoch) */
  owner: string
  leaseUntil: number
  /** once done: the status answered, the Location, the numéro unique */
  status: number | undefined
  location: string | undefined
  numUnique: string | undefined
  reconciliation: ReconciliationData | undefined
}

/**
 * A new record: `sent` as the REST writes record their keys (with `sentAt` and `attempts` 1), or
 * `received` (nothing sent; records of earlier versions, tests).
 */
export type NewIdempotencyRecord = Pick<IdempotencyRecord, 'scope' | 'fingerprint' | 'route' | 'guichet' | 'createdAt' | 'sentAt' | 'attempts' | 'owner' | 'leaseUntil' | 'reconciliation'> & {
  state: 'received' | 'sent'
}

/** What may change in one step. */
export type IdempotencyChanges = Partial<Pick<IdempotencyRecord, 'state' | 'guichet' | 'sentAt' | 'attempts' | 'owner' | 'leaseUntil' | 'status' | 'location' | 'numUnique' | 'reconciliation'>>

export interface IdempotencyStore {
  /**
   * Records `record` unless the scope already has one: `{ created: true }`, or the existing
   * record. A `sent` record is durable when it resolves (it is written just before its call
   * leaves); a `received` one may wait for the next durable write.
   */
  begin (record: NewIdempotencyRecord): Promise<{ created: true } | { created: false, existing: IdempotencyRecord }>
  /**
   * Applies `changes` if the record is still held by `owner` (compare-and-set): false when another
   * call took it over or it was purged. Durable when it resolves.
   */
  update (scope: IdempotencyScope, owner: string, changes: IdempotencyChanges): Promise<boolean>
  /** Takes over a record whose lease ended (`leaseUntil` ≤ `now`) for `owner`: false when another call holds it. */
  takeOver (scope: IdempotencyScope, expectedOwner: string, now: number, owner: string, leaseUntil: number): Promise<boolean>
  /** Deletes the record if `owner` holds it: its call certainly never reached the SNE, or was refused. */
  release (scope: IdempotencyScope, owner: string): Promise<void>
  get (scope: IdempotencyScope): Promise<IdempotencyRecord | undefined>
  /** The records in state `unknown`, or `sent` with an ended lease, oldest first. */
  unknownOutcomes (now: number, limit: number): Promise<IdempotencyRecord[]>
  /** Deletes the records created before `before`; resolves with their count. */
  purge (before: number): Promise<number>
  close (): Promise<void>
}
