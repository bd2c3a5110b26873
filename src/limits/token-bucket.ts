/**
 * A token bucket on a monotonic clock in milliseconds: `burst` tokens at most, refilled at
 * `ratePerSecond`. The state is a plain object the caller keeps per key, refilled lazily when it is
 * read, so that an idle key costs nothing and a bucket back to full is the same as a new one.
 */

export interface BucketState {
  /** tokens available at `at` (fractional) */
  tokens: number
  /** monotonic ms of the last refill */
  at: number
}

export interface TokenBucketRule {
  readonly ratePerSecond: number
  readonly burst: number
}

/** A full bucket at `now`. */
export function fullBucket (rule: TokenBucketRule, now: number): BucketState {
  return { tokens: rule.burst, at: now }
}

/** Brings `state` to `now`. A clock that goes back is ignored (monotonic by contract). */
export function refill (rule: TokenBucketRule, state: BucketState, now: number): void {
  const elapsed = now - state.at
  if (elapsed <= 0) return
  state.tokens = Math.min(rule.burst, state.tokens + elapsed * rule.ratePerSecond / 1000)
  state.at = now
}

/** Milliseconds until one token is available (0: now). Call after `refill`. */
export function waitMs (rule: TokenBucketRule, state: BucketState): number {
  return state.tokens >= 1 ? 0 : (1 - state.tokens) * 1000 / rule.ratePerSecond
}

/** Milliseconds until the bucket is full again. Call after `refill`. */
export function fullInMs (rule: TokenBucketRule, state: BucketState): number {
  return (rule.burst - state.tokens) * 1000 / rule.ratePerSecond
}

/** Whole seconds, rounded up, at least 1: the value of a Retry-After or RateLimit-Reset field. */
export function ceilSeconds (ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000))
}
