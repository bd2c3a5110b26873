/**
 * Rate (token bucket) and concurrency limits per key — a client identity, a guichet — with state
 * that stays bounded whatever the keys. Protocol-free: the SOAP routes answer its refusals as
 * Faults, a JSON route can also read the RateLimit values (`rateLimit`, `rate-limit-fields.ts`).
 *
 * Bounded state: an entry whose bucket is full again and that has no call in progress is exactly a
 * new entry, so it is dropped without changing any decision (swept when the map has doubled since
 * the last sweep). Past `maxKeys` entries, the oldest without a call in progress are dropped even
 * if not yet full: those keys get a fresh bucket (more permissive, never stricter). Entries with a
 * call in progress are bounded by the connections.
 */
import { ceilSeconds, fullInMs, refill, waitMs, type BucketState, type TokenBucketRule } from './token-bucket.js'

export interface LimitRule {
  /** sustained calls per second (token bucket refill); absent: no rate limit */
  readonly ratePerSecond?: number | undefined
  /** calls allowed at once above the rate (bucket size); default ratePerSecond rounded up, at least 1 */
  readonly burst?: number | undefined
  /** calls in progress at once; absent: no concurrency limit */
  readonly concurrent?: number | undefined
}

/** The IETF RateLimit fields (draft-ietf-httpapi-ratelimit-headers): quota, what is left, seconds to full. */
export interface RateLimitValues {
  readonly limit: number
  readonly remaining: number
  readonly resetSeconds: number
}

export type Admission =
  | { readonly admitted: true, readonly release: () => void }
  | { readonly admitted: false, readonly limit: 'rate' | 'concurrency', readonly key: string, readonly retryAfterSeconds: number }

export interface KeyedLimiter {
  readonly rule: LimitRule
  /**
   * Admits a call counted against every key (all or nothing: a refused call takes no token and no
   * slot). `release` ends the call's concurrency and may be called any number of times: it counts once.
   */
  admit (keys: readonly string[], now: number): Admission
  /** The RateLimit values of `key` at `now`; undefined without a rate limit. */
  rateLimit (key: string, now: number): RateLimitValues | undefined
  /** calls in progress for `key` */
  inProgress (key: string): number
  /** entries kept (for tests and diagnostics) */
  readonly size: number
}

/** Retry-After of a concurrency refusal: a call in progress ends at an unknown time. */
export const CONCURRENCY_RETRY_SECONDS = 1

/** Default bound of the keys kept. */
export const DEFAULT_MAX_KEYS = 10_000

interface Entry extends BucketState {
  inProgress: number
}

export function createKeyedLimiter (rule: LimitRule, options: { maxKeys?: number } = {}): KeyedLimiter {
  const maxKeys = options.maxKeys ?? DEFAULT_MAX_KEYS
  const bucket: TokenBucketRule | undefined = rule.ratePerSecond === undefined
    ? undefined
    : { ratePerSecond: rule.ratePerSecond, burst: rule.burst ?? Math.max(1, Math.ceil(rule.ratePerSecond)) }
  const concurrent = rule.concurrent ?? Infinity
  const entries = new Map<string, Entry>()
  let sweepAt = 64

  const idle = (e: Entry, now: number): boolean => {
    if (e.inProgress > 0) return false
    if (bucket === undefined) return true
    refill(bucket, e, now)
    return e.tokens >= bucket.burst
  }

  const makeRoom = (now: number): void => {
    if (entries.size >= sweepAt || entries.size >= maxKeys) {
      for (const [key, e] of entries) if (idle(e, now)) entries.delete(key)
      sweepAt = Math.max(64, entries.size * 2)
    }
    // Map order is insertion order: the oldest first.
    for (const [key, e] of entries) {
      if (entries.size < maxKeys) break
      if (e.inProgress === 0) entries.delete(key)
    }
  }

  const entryOf = (key: string, now: number): Entry => {
    let e = entries.get(key)
    if (e === undefined) {
      makeRoom(now)
      e = { tokens: bucket?.burst ?? 0, at: now, inProgress: 0 }
      entries.set(key, e)
    } else if (bucket !== undefined) {
      refill(bucket, e, now)
    }
    return e
  }

  /** The admission of a call holding `held`: its release counts once, however often it is called. */
  const admitted = (held: readonly Entry[]): Admission => {
    let released = false
    return {
      admitted: true,
      release: () => {
        if (released) return
        released = true
        for (const e of held) e.inProgress--
      }
    }
  }

  const admitOne = (key: string, now: number): Admission => {
    const e = entryOf(key, now)
    if (e.inProgress >= concurrent) return { admitted: false, limit: 'concurrency', key, retryAfterSeconds: CONCURRENCY_RETRY_SECONDS }
    if (bucket !== undefined && e.tokens < 1) return { admitted: false, limit: 'rate', key, retryAfterSeconds: ceilSeconds(waitMs(bucket, e)) }
    if (bucket !== undefined) e.tokens -= 1
    e.inProgress++
    return admitted([e])
  }

  return {
    rule,
    get size () { return entries.size },
    admit (keys, now) {
      // One key (the identity): the common case, without the all-or-nothing bookkeeping.
      if (keys.length === 1) return admitOne(keys[0] as string, now)
      const unique = [...new Set(keys)]
      const held = unique.map((key) => entryOf(key, now))
      let refusal: Admission | undefined
      held.forEach((e, i) => {
        const key = unique[i] as string
        if (e.inProgress >= concurrent) refusal ??= { admitted: false, limit: 'concurrency', key, retryAfterSeconds: CONCURRENCY_RETRY_SECONDS }
        else if (bucket !== undefined && e.tokens < 1) {
          const wait = ceilSeconds(waitMs(bucket, e))
          if (refusal === undefined || (refusal.admitted === false && refusal.limit === 'rate' && refusal.retryAfterSeconds < wait)) refusal = { admitted: false, limit: 'rate', key, retryAfterSeconds: wait }
        }
      })
      if (refusal !== undefined) return refusal
      held.forEach((e, i) => {
        if (bucket !== undefined) e.tokens -= 1
        e.inProgress++
        // Room made for a later key may have dropped an earlier one (idle until now): keep it.
        entries.set(unique[i] as string, e)
      })
      return admitted(held)
    },
    rateLimit (key, now) {
      if (bucket === undefined) return undefined
      const e = entries.get(key)
      if (e === undefined) return { limit: bucket.burst, remaining: bucket.burst, resetSeconds: 0 }
      refill(bucket, e, now)
      return { limit: bucket.burst, remaining: Math.floor(e.tokens), resetSeconds: Math.ceil(fullInMs(bucket, e) / 1000) }
    },
    inProgress: (key) => entries.get(key)?.inProgress ?? 0
  }
}
