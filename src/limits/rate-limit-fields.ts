/**
 * The RateLimit header fields of draft-ietf-httpapi-ratelimit-headers (the three-field form:
 * `RateLimit-Limit`, `RateLimit-Remaining`, `RateLimit-Reset`), for answers that carry them
 * (problem+json routes). Values are integers: remaining tokens rounded down, seconds rounded up.
 */
import type { RateLimitValues } from './keyed-limiter.js'

export function rateLimitFields (values: RateLimitValues): Record<'ratelimit-limit' | 'ratelimit-remaining' | 'ratelimit-reset', string> {
  return {
    'ratelimit-limit': String(values.limit),
    'ratelimit-remaining': String(Math.max(0, values.remaining)),
    'ratelimit-reset': String(values.resetSeconds)
  }
}
