/**
 * The legacy-TLS census: what each client offered and what became of it, aggregated in memory on
 * the connection path (a map update, nothing else) and written to the store in batches, on an
 * interval and on close.
 *
 * A row is one client as the issue defines it: IP + JA4 + SNI. The readiness of a row is that of
 * its IP address, because a client that upgrades its TLS stack changes fingerprint — its TLS 1.0
 * attempts and its TLS 1.2 successes land on two rows — and only the address ties them together;
 * the identity of a legacy row is likewise the one its address last presented in a successful
 * handshake (a refused handshake never gets as far as the client certificate):
 *
 * - `legacy-only`: the address offered TLS 1.1 or older and never completed a handshake;
 * - `migrating`: it completed TLS 1.2+ handshakes, and offered legacy within `readyAfterMs`;
 * - `ready`: it completes TLS 1.2+ handshakes and has not offered legacy for `readyAfterMs` (or never);
 * - `other`: neither (only non-TLS bytes, or TLS 1.2+ attempts that all failed, e.g. on the certificate).
 *
 * Bounded: at most `maxRowsPerAddress` rows per address, and `maxClients` rows in all. A new row
 * of an address at its budget evicts that address's least recently seen row (`address_budget`), so
 * that one address inventing fingerprints or server names neither grows the store nor evicts
 * anyone else's rows; a new row beyond `maxClients` evicts the least recently seen row of all
 * (`capacity`), memory and store alike. The budget bounds the rows, not their turnover: an address
 * that keeps inventing would evict its own rows as fast as it connects, each a store write and
 * delete, and wipe its own history. So new rows of an address also take a token from its bucket
 * (`newRowsPerAddress`: a burst, then a rate); without one, the connection makes no row
 * (`address_rate`: counted, nothing evicted), while the address's existing rows go on counting.
 * The bucket lives beside the address's rows and goes with its last one, so the rate limiter holds
 * no more entries than there are addresses with rows (at most `maxClients`); an address whose
 * rows all went starts again with a full bucket, as a new address does. Connections closed
 * without a byte (TCP health checks, port scans), and the rare one whose address could not be
 * read, are counted by the metrics only, never stored: every row has an address.
 */
import type { Logger } from 'pino'
import type { HandshakeRecord } from './inspector.js'
import { openCensusStore, type ClientKey, type CensusStore, type ReadinessPoint, type StoredClient } from './census-store.js'
import type { SharedCensusStore } from './postgres-census-store.js'
import { ja3 } from './ja3.js'
import { isLegacyVersion, versionName } from './tls-versions.js'
import { fullBucket, refill, type BucketState, type TokenBucketRule } from '../limits/token-bucket.js'

export type Readiness = 'legacy-only' | 'migrating' | 'ready' | 'other'
export const READINESS: readonly Readiness[] = ['legacy-only', 'migrating', 'ready', 'other']

export interface CensusOptions {
  /** SQLite file; `':memory:'` (the default) persists nothing */
  file?: string
  /** how often pending changes are written (default 5000 ms) */
  flushIntervalMs?: number
  /** how long an address must go without a legacy offer to be `ready` (default 7 days) */
  readyAfterMs?: number
  /** most rows kept (default 10000) */
  maxClients?: number
  /** most rows kept per client address (default 32) */
  maxRowsPerAddress?: number
  /** new rows an address may make: `burst` at once (default 32), then `ratePerHour` (default 60) */
  newRowsPerAddress?: { burst?: number, ratePerHour?: number }
  /** how often the readiness counts are recorded for the history (default 1 hour) */
  snapshotIntervalMs?: number
  /** most history points kept (default 2160: 90 days of hourly points) */
  maxSnapshots?: number
}

export interface CensusDeps {
  clock?: () => Date
  /** where flush failures are reported */
  logger?: Logger
  /** a row was evicted, and why */
  onEvict?: (reason: EvictionReason) => void
}

/** Why a row was evicted, or not made (`address_rate`) (metric label `reason`). */
export type EvictionReason = 'address_budget' | 'capacity' | 'address_rate'

/** Filters of `clients()`; all given ones must hold. */
export interface ClientFilter {
  /** rows seen at or after this instant (ms) */
  since?: number
  status?: Readiness
  /** rows that offered this highest version at least once (`TLSv1`, `TLSv1.1`, `TLSv1.2`…) */
  version?: string
  /** rows whose address passes this test */
  ip?: (ip: string) => boolean
}

/** One row of the census, with the readiness and identity of its address (times in ms). */
export interface CensusClient {
  ip: string
  /** undefined for connections that sent no ClientHello */
  ja4: string | undefined
  sni: string | undefined
  ja3Hash: string | undefined
  /** the row's own verified identity, else its address's latest one */
  identity: string | undefined
  status: Readiness
  firstSeen: number
  lastSeen: number
  /** highest version this row ever offered, undefined when it never sent a ClientHello */
  maxVersionOffered: string | undefined
  offered: Record<string, number>
  outcomes: Record<string, number>
  lastFailureAt: number | undefined
  lastFailureReason: string | undefined
  /** the address's first and last legacy offers, on any row */
  firstLegacyAttempt: number | undefined
  lastLegacyAttempt: number | undefined
  /** the address's latest successful handshake, on any row */
  lastSuccess: number | undefined
  lastSuccessVersion: string | undefined
}

export interface CensusSummary {
  /** rows */
  clients: number
  /** addresses by readiness */
  addresses: Record<Readiness, number>
  /** attempts by highest offered version, all rows */
  offered: Record<string, number>
  /** connections by outcome, all rows */
  outcomes: Record<string, number>
}

export interface Census {
  /** records one connection (the hot path: memory only) */
  observe (record: HandshakeRecord): void
  clients (filter?: ClientFilter): CensusClient[]
  summary (): CensusSummary
  /** readiness counts over time, oldest first */
  history (): ReadinessPoint[]
  /** addresses held in memory (their rows and new-row bucket): never more than the rows */
  readonly addressCount: number
  /** writes pending changes now (and a history point when one is due); with a shared store, starts a sync */
  flush (): void
  /**
   * From now on, writes to and reads from `store`, shared with the other instances, instead of the
   * embedded file: the rows in memory become the store's union (read here), this instance's
   * observations go to it as deltas at each flush, and each flush reads back what the others wrote.
   */
  share (store: SharedCensusStore): Promise<void>
  /** flushes and waits until the shared store has it (at once without one) */
  settle (): Promise<void>
  /** stops the interval, flushes, closes the store */
  close (): void
}

interface Row extends StoredClient { key: string }

/** An address's rows, least recently seen first, and the bucket its new rows take from. */
interface AddressRows {
  rows: Map<string, Row>
  newRows: BucketState
}

interface AddressView {
  firstLegacy: number | undefined
  lastLegacy: number | undefined
  lastSuccess: number | undefined
  lastSuccessVersion: string | undefined
  identity: string | undefined
  identityAt: number
}

const DAY = 86_400_000

function rowKey (ip: string, ja4: string, sni: string): string {
  return `${ip}\u0000${ja4}\u0000${sni}`
}

function bump (counts: Record<string, number>, key: string): void {
  counts[key] = (counts[key] ?? 0) + 1
}

function minDefined (a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined ? b : b === undefined ? a : Math.min(a, b)
}

function maxDefined (a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined ? b : b === undefined ? a : Math.max(a, b)
}

/** A new row (or delta) of one client, nothing counted yet. */
function emptyClient (ip: string, ja4: string, sni: string, ja3Hash: string | undefined, at: number): StoredClient {
  return {
    ip,
    ja4,
    sni,
    ja3Hash,
    firstSeen: at,
    lastSeen: at,
    offered: {},
    outcomes: {},
    maxOffered: -1,
    firstLegacy: undefined,
    lastLegacy: undefined,
    lastSuccess: undefined,
    lastSuccessVersion: undefined,
    lastFailure: undefined,
    lastFailureReason: undefined,
    identity: undefined
  }
}

/** Counts one connection on a row (or on a delta: the same rule). */
function count (row: StoredClient, record: HandshakeRecord): void {
  const at = record.at
  if (at > row.lastSeen) row.lastSeen = at
  bump(row.outcomes, record.outcome)
  const offered = record.offeredVersion
  if (offered !== undefined) {
    bump(row.offered, versionName(offered))
    if (offered > row.maxOffered) row.maxOffered = offered
    if (isLegacyVersion(offered)) {
      row.firstLegacy = minDefined(row.firstLegacy, at)
      row.lastLegacy = maxDefined(row.lastLegacy, at)
    }
  }
  if (record.outcome === 'success') {
    row.lastSuccess = at
    row.lastSuccessVersion = record.negotiatedVersion
    if (record.identity !== undefined) row.identity = record.identity
  } else {
    row.lastFailure = at
    row.lastFailureReason = record.reason
  }
}

/**
 * Adds what `delta` counted to `row`: the shared store's upsert rule (`postgres-census-store.ts`),
 * applied in memory to a row read back while this instance's next delta was being counted.
 */
export function mergeClient (row: StoredClient, delta: StoredClient): void {
  row.ja3Hash ??= delta.ja3Hash
  row.firstSeen = Math.min(row.firstSeen, delta.firstSeen)
  row.lastSeen = Math.max(row.lastSeen, delta.lastSeen)
  for (const [k, n] of Object.entries(delta.offered)) row.offered[k] = (row.offered[k] ?? 0) + n
  for (const [k, n] of Object.entries(delta.outcomes)) row.outcomes[k] = (row.outcomes[k] ?? 0) + n
  row.maxOffered = Math.max(row.maxOffered, delta.maxOffered)
  row.firstLegacy = minDefined(row.firstLegacy, delta.firstLegacy)
  row.lastLegacy = maxDefined(row.lastLegacy, delta.lastLegacy)
  if (delta.lastSuccess !== undefined && (row.lastSuccess === undefined || delta.lastSuccess >= row.lastSuccess)) {
    row.lastSuccess = delta.lastSuccess
    row.lastSuccessVersion = delta.lastSuccessVersion ?? row.lastSuccessVersion
    row.identity = delta.identity ?? row.identity
  } else {
    row.identity ??= delta.identity
  }
  if (delta.lastFailure !== undefined && (row.lastFailure === undefined || delta.lastFailure >= row.lastFailure)) {
    row.lastFailure = delta.lastFailure
    row.lastFailureReason = delta.lastFailureReason ?? row.lastFailureReason
  }
}

/** With a shared store: every this many syncs reads every row (deletes by others, late commits). */
const FULL_READ_EVERY = 12

function keyOf (c: ClientKey): string {
  return rowKey(c.ip, c.ja4, c.sni)
}

class CensusImpl implements Census {
  readonly store: CensusStore
  readonly rows = new Map<string, Row>()
  readonly dirty = new Set<Row>()
  readonly evicted: ClientKey[] = []
  points: ReadinessPoint[]
  readonly readyAfterMs: number
  readonly maxClients: number
  readonly maxRowsPerAddress: number
  /** each address's rows (the same rows as `rows`) and new-row bucket */
  readonly byAddress = new Map<string, AddressRows>()
  readonly newRowRule: TokenBucketRule
  readonly onEvict: ((reason: EvictionReason) => void) | undefined
  readonly snapshotIntervalMs: number
  readonly maxSnapshots: number
  readonly now: () => number
  readonly logger: Logger | undefined
  readonly timer: NodeJS.Timeout
  closed = false
  /** the store shared with other instances, once `share` was called */
  shared: SharedCensusStore | undefined
  /** with a shared store: what this instance counted since its last flush, per row key */
  deltas = new Map<string, StoredClient>()
  /** with a shared store: the highest sequence value read back */
  seq = 0
  syncs = 0
  /** with a shared store: the sync running now */
  syncing: Promise<void> | undefined

  constructor (options: CensusOptions, deps: CensusDeps) {
    this.readyAfterMs = options.readyAfterMs ?? 7 * DAY
    this.maxClients = options.maxClients ?? 10000
    this.maxRowsPerAddress = options.maxRowsPerAddress ?? 32
    // A burst of at least one: the first row of an address is always made (see observe).
    this.newRowRule = { burst: Math.max(1, options.newRowsPerAddress?.burst ?? 32), ratePerSecond: (options.newRowsPerAddress?.ratePerHour ?? 60) / 3600 }
    this.onEvict = deps.onEvict
    this.snapshotIntervalMs = options.snapshotIntervalMs ?? 3_600_000
    this.maxSnapshots = options.maxSnapshots ?? 2160
    const clock = deps.clock
    this.now = clock === undefined ? Date.now : () => clock().getTime()
    this.logger = deps.logger
    this.store = openCensusStore(options.file ?? ':memory:')
    try {
      for (const stored of this.store.loadClients()) {
        const row: Row = { ...stored, key: rowKey(stored.ip, stored.ja4, stored.sni) }
        // Rows from the store take no token: they were paid for when they were made.
        this.insert(row, this.addressOf(row.ip, row.lastSeen))
      }
      this.points = this.store.loadHistory().slice(-this.maxSnapshots)
    } catch (err) {
      this.store.close()
      throw err
    }
    this.timer = setInterval(() => { this.flush() }, options.flushIntervalMs ?? 5000)
    // The census must never keep a process alive on its own.
    this.timer.unref()
  }

  get addressCount (): number {
    return this.byAddress.size
  }

  /** The address's entry, a new one (empty, its bucket full) when it has no row. */
  addressOf (ip: string, at: number): AddressRows {
    let own = this.byAddress.get(ip)
    if (own === undefined) {
      own = { rows: new Map(), newRows: fullBucket(this.newRowRule, at) }
      this.byAddress.set(ip, own)
    }
    return own
  }

  /**
   * Adds a row as the most recently seen: first within its address's budget (evicting that
   * address's least recently seen row), then within the total (the least recently seen of all).
   */
  insert (row: Row, own: AddressRows): void {
    while (own.rows.size >= this.maxRowsPerAddress) this.evict(own.rows.values().next().value as Row, 'address_budget')
    while (this.rows.size >= this.maxClients) this.evict(this.rows.values().next().value as Row, 'capacity')
    // An eviction above may have taken the address's last row, and its entry with it: the entry
    // goes back, its bucket as it was (a budget of one row must not refill the bucket).
    if (own.rows.size === 0) this.byAddress.set(row.ip, own)
    own.rows.set(row.key, row)
    this.rows.set(row.key, row)
  }

  evict (row: Row, reason: EvictionReason): void {
    this.forget(row)
    this.evicted.push({ ip: row.ip, ja4: row.ja4, sni: row.sni })
    this.counted(reason)
  }

  /** Takes a row out of memory (evicted here, or deleted by another instance). */
  forget (row: Row): void {
    this.rows.delete(row.key)
    const own = this.byAddress.get(row.ip)
    own?.rows.delete(row.key)
    if (own?.rows.size === 0) this.byAddress.delete(row.ip)
    this.dirty.delete(row)
    this.deltas.delete(row.key)
  }

  counted (reason: EvictionReason): void {
    try {
      this.onEvict?.(reason)
    } catch {
      // A failing observer must not take the connection path down with it.
    }
  }

  observe (record: HandshakeRecord): void {
    if (this.closed || (record.outcome === 'rejected' && record.reason === 'empty') || record.remoteAddress === '') return
    const ja4 = record.ja4 ?? ''
    const sni = record.hello?.sni ?? ''
    const key = rowKey(record.remoteAddress, ja4, sni)
    const at = record.at
    let row = this.rows.get(key)
    if (row === undefined) {
      const own = this.addressOf(record.remoteAddress, at)
      refill(this.newRowRule, own.newRows, at)
      if (own.newRows.tokens < 1) {
        // An entry made just now for this call would have a full bucket: own has rows, and stays.
        this.counted('address_rate')
        return
      }
      own.newRows.tokens -= 1
      // JA3 once per row, not per connection: the JA4 in the key already names the client stack.
      row = { ...emptyClient(record.remoteAddress, ja4, sni, record.hello === undefined ? undefined : ja3(record.hello).hash, at), key }
      this.insert(row, own)
    } else {
      // Map order is the eviction order: move the row to the most recent end (of both maps).
      this.rows.delete(key)
      this.rows.set(key, row)
      const own = this.byAddress.get(row.ip)
      own?.rows.delete(key)
      own?.rows.set(key, row)
    }
    count(row, record)
    if (this.shared === undefined) {
      this.dirty.add(row)
      return
    }
    let delta = this.deltas.get(key)
    if (delta === undefined) {
      delta = emptyClient(row.ip, ja4, sni, row.ja3Hash, at)
      this.deltas.set(key, delta)
    }
    count(delta, record)
  }

  /** What each address did, across its rows. */
  addresses (): Map<string, AddressView> {
    const views = new Map<string, AddressView>()
    for (const row of this.rows.values()) {
      let v = views.get(row.ip)
      if (v === undefined) {
        v = { firstLegacy: undefined, lastLegacy: undefined, lastSuccess: undefined, lastSuccessVersion: undefined, identity: undefined, identityAt: -Infinity }
        views.set(row.ip, v)
      }
      v.firstLegacy = minDefined(v.firstLegacy, row.firstLegacy)
      if (row.lastLegacy !== undefined && (v.lastLegacy === undefined || row.lastLegacy > v.lastLegacy)) v.lastLegacy = row.lastLegacy
      if (row.lastSuccess !== undefined && (v.lastSuccess === undefined || row.lastSuccess > v.lastSuccess)) {
        v.lastSuccess = row.lastSuccess
        v.lastSuccessVersion = row.lastSuccessVersion
      }
      if (row.identity !== undefined && row.lastSuccess !== undefined && row.lastSuccess > v.identityAt) {
        v.identity = row.identity
        v.identityAt = row.lastSuccess
      }
    }
    return views
  }

  readiness (v: AddressView, now: number): Readiness {
    if (v.lastSuccess === undefined) return v.lastLegacy === undefined ? 'other' : 'legacy-only'
    if (v.lastLegacy !== undefined && now - v.lastLegacy < this.readyAfterMs) return 'migrating'
    return 'ready'
  }

  clients (filter: ClientFilter = {}): CensusClient[] {
    const now = this.now()
    const views = this.addresses()
    const out: CensusClient[] = []
    for (const row of this.rows.values()) {
      const v = views.get(row.ip)!
      const status = this.readiness(v, now)
      if (filter.since !== undefined && row.lastSeen < filter.since) continue
      if (filter.status !== undefined && status !== filter.status) continue
      if (filter.version !== undefined && (row.offered[filter.version] ?? 0) === 0) continue
      if (filter.ip !== undefined && !filter.ip(row.ip)) continue
      out.push({
        ip: row.ip,
        ja4: row.ja4 === '' ? undefined : row.ja4,
        sni: row.sni === '' ? undefined : row.sni,
        ja3Hash: row.ja3Hash,
        identity: row.identity ?? v.identity,
        status,
        firstSeen: row.firstSeen,
        lastSeen: row.lastSeen,
        maxVersionOffered: row.maxOffered < 0 ? undefined : versionName(row.maxOffered),
        offered: { ...row.offered },
        outcomes: { ...row.outcomes },
        lastFailureAt: row.lastFailure,
        lastFailureReason: row.lastFailureReason,
        firstLegacyAttempt: v.firstLegacy,
        lastLegacyAttempt: v.lastLegacy,
        lastSuccess: v.lastSuccess,
        lastSuccessVersion: v.lastSuccessVersion
      })
    }
    // Most recently seen first: the eviction order, reversed.
    return out.reverse()
  }

  countAddresses (now: number): Record<Readiness, number> {
    const counts: Record<Readiness, number> = { 'legacy-only': 0, migrating: 0, ready: 0, other: 0 }
    for (const v of this.addresses().values()) counts[this.readiness(v, now)]++
    return counts
  }

  summary (): CensusSummary {
    const offered: Record<string, number> = {}
    const outcomes: Record<string, number> = {}
    for (const row of this.rows.values()) {
      for (const [k, n] of Object.entries(row.offered)) offered[k] = (offered[k] ?? 0) + n
      for (const [k, n] of Object.entries(row.outcomes)) outcomes[k] = (outcomes[k] ?? 0) + n
    }
    return { clients: this.rows.size, addresses: this.countAddresses(this.now()), offered, outcomes }
  }

  history (): ReadinessPoint[] {
    return this.points.slice()
  }

  /** The readiness point due now, if one is. */
  duePoint (): ReadinessPoint | undefined {
    const now = this.now()
    const last = this.points.at(-1)
    if (last !== undefined && now - last.at < this.snapshotIntervalMs) return undefined
    const c = this.countAddresses(now)
    return { at: now, legacyOnly: c['legacy-only'], migrating: c.migrating, ready: c.ready, other: c.other }
  }

  flush (): void {
    if (this.shared !== undefined) {
      if (!this.closed) void this.sync()
      return
    }
    const point = this.duePoint()
    if (this.dirty.size === 0 && this.evicted.length === 0 && point === undefined) return
    try {
      this.store.write({ upserts: this.dirty, deletes: this.evicted, point, maxPoints: this.maxSnapshots })
    } catch (err) {
      // Kept pending: the next flush retries. The census never takes the gateway down.
      this.logger?.error({ err, event: 'tls_census_flush_failed' }, 'TLS census: pending changes could not be written')
      return
    }
    this.dirty.clear()
    this.evicted.length = 0
    if (point !== undefined) {
      this.points.push(point)
      if (this.points.length > this.maxSnapshots) this.points.splice(0, this.points.length - this.maxSnapshots)
    }
  }

  /** One sync with the shared store at a time; a flush during one waits for the next interval. */
  sync (): Promise<void> {
    this.syncing ??= this.syncOnce().finally(() => { this.syncing = undefined })
    return this.syncing
  }

  /**
   * Sends this instance's deltas and evictions, then reads back what changed (everything, now and
   * then), then records a readiness point when one is due. A failure keeps the deltas for the next
   * flush (merged with what was counted meanwhile): nothing is lost while the store is down, and
   * the census goes on counting in memory.
   */
  async syncOnce (): Promise<void> {
    const shared = this.shared!
    const deltas = this.deltas
    const deletes = this.evicted.splice(0)
    this.deltas = new Map()
    try {
      await shared.merge([...deltas.values()], deletes)
    } catch (err) {
      for (const [key, earlier] of deltas) {
        const later = this.deltas.get(key)
        if (later !== undefined) mergeClient(earlier, later)
        // Unless the row went meanwhile (evicted: its delete is pending, its counts go with it).
        if (this.rows.has(key)) this.deltas.set(key, earlier)
      }
      this.evicted.unshift(...deletes)
      this.logger?.error({ err, event: 'tls_census_flush_failed' }, 'TLS census: pending changes could not be written to the shared store')
      return
    }
    try {
      const full = this.syncs % FULL_READ_EVERY === 0
      this.take(full ? await shared.loadAll() : await shared.changedSince(this.seq), full)
      this.syncs++
      const point = this.duePoint()
      if (point !== undefined) await shared.addPoint(point, this.snapshotIntervalMs, this.maxSnapshots)
      if (point !== undefined || full) this.points = await shared.loadHistory(this.maxSnapshots)
    } catch (err) {
      this.logger?.error({ err, event: 'tls_census_read_failed' }, 'TLS census: the shared store could not be read')
    }
  }

  /**
   * Rows read back from the shared store, with what this instance counted since added on top. Then
   * the eviction order becomes the union's (least recently seen first, whoever saw them) and the
   * budgets apply to the union: an address's rows seen by two instances count once against it.
   */
  take (pulled: { rows: StoredClient[], seq: number }, full: boolean): void {
    this.seq = Math.max(this.seq, pulled.seq)
    if (pulled.rows.length === 0 && !full) return
    for (const stored of pulled.rows) {
      const key = keyOf(stored)
      const counting = this.deltas.get(key)
      if (counting !== undefined) mergeClient(stored, counting)
      const row = this.rows.get(key)
      if (row !== undefined) {
        Object.assign(row, stored)
        continue
      }
      // Rows of other instances take no token, as rows loaded at start.
      const added: Row = { ...stored, key }
      this.rows.set(key, added)
      this.addressOf(added.ip, added.lastSeen).rows.set(key, added)
    }
    if (full) {
      // Deleted by another instance (its eviction): gone here too, unless counted since.
      const present = new Set(pulled.rows.map(keyOf))
      for (const row of [...this.rows.values()]) if (!present.has(row.key) && !this.deltas.has(row.key)) this.forget(row)
    }
    const ordered = [...this.rows.values()].sort((a, b) => a.lastSeen - b.lastSeen)
    this.rows.clear()
    for (const own of this.byAddress.values()) own.rows.clear()
    for (const row of ordered) {
      this.rows.set(row.key, row)
      this.byAddress.get(row.ip)!.rows.set(row.key, row)
    }
    for (const own of this.byAddress.values()) {
      while (own.rows.size > this.maxRowsPerAddress) this.evict(own.rows.values().next().value as Row, 'address_budget')
    }
    while (this.rows.size > this.maxClients) this.evict(this.rows.values().next().value as Row, 'capacity')
  }

  async share (store: SharedCensusStore): Promise<void> {
    // The embedded file is not used beside a shared store: memory becomes the store's union.
    for (const row of [...this.rows.values()]) this.forget(row)
    this.store.close()
    this.shared = store
    this.points = []
    this.syncs = 0
    await this.sync()
  }

  async settle (): Promise<void> {
    if (this.shared === undefined) {
      this.flush()
      return
    }
    await this.syncing
    await this.sync()
  }

  close (): void {
    if (this.closed) return
    clearInterval(this.timer)
    // With a shared store, `settle` wrote what was pending (before its pool closed).
    if (this.shared === undefined) this.flush()
    this.closed = true
    this.store.close()
  }
}

/** Opens the census and its store (throws `GW_TLS_CENSUS_STORE` when the store cannot be opened). */
export function createCensus (options: CensusOptions = {}, deps: CensusDeps = {}): Census {
  return new CensusImpl(options, deps)
}
