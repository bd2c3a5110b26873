/**
 * Errors of `limits/`: a call refused because its caller, a guichet it acts for, or the gateway as a
 * whole is over a limit. Each carries `retryAfterSeconds` (answered as `Retry-After`). 429 when the
 * caller's own limit is reached, 503 when the gateway's shared body memory is. Messages name
 * identities and guichet codes, never message content.
 *
 * Retired codes: none yet.
 */
import { createError } from '../errors.js'

export const codes = {
  GW_LIMIT_RATE: createError('GW_LIMIT_RATE', '%s %s is over its rate of %s calls per second', 429),
  GW_LIMIT_CONCURRENCY: createError('GW_LIMIT_CONCURRENCY', '%s %s already has %d calls in progress', 429),
  GW_LIMIT_BODY_MEMORY_IDENTITY: createError('GW_LIMIT_BODY_MEMORY_IDENTITY', 'client %s has more than %d request bytes in flight', 429),
  GW_LIMIT_BODY_MEMORY: createError('GW_LIMIT_BODY_MEMORY', 'the gateway holds too many request bytes in flight: send the call again later', 503)
}
