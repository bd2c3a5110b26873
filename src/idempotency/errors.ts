/**
 * Errors of `idempotency/`: the Idempotency-Key protocol of the REST writes, and its store.
 * Answered as `application/problem+json` on the REST routes. Messages name the key's state, never
 * the key itself nor anything of the demande.
 *
 * Retired codes: none yet.
 */
import { createError } from '../errors.js'

export const codes = {
  /** a REST write without an Idempotency-Key header */
  GW_IDEMPOTENCY_KEY_REQUIRED: createError('GW_IDEMPOTENCY_KEY_REQUIRED', 'a write needs an Idempotency-Key header: a unique value per call, kept for its retries', 400),
  /** an Idempotency-Key that is not 1–255 printable ASCII characters (optionally quoted) */
  GW_IDEMPOTENCY_KEY_INVALID: createError('GW_IDEMPOTENCY_KEY_INVALID', 'the Idempotency-Key header must be one value of 1 to 255 printable ASCII characters (without quotes or backslashes inside), optionally as a quoted string', 400),
  /** the first call with this key is still in progress */
  GW_IDEMPOTENCY_IN_FLIGHT: createError('GW_IDEMPOTENCY_IN_FLIGHT', 'a call with this Idempotency-Key is in progress: retry once it has answered', 409),
  /** the key was used for another call (method, path or body) */
  GW_IDEMPOTENCY_KEY_REUSED: createError('GW_IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was used for another call (method, path or body): use a new key for a new call', 422),
  /** the outcome of the call made with this key is unknown, and the gateway will not send it again (now) */
  GW_IDEMPOTENCY_OUTCOME_UNKNOWN: createError('GW_IDEMPOTENCY_OUTCOME_UNKNOWN', 'the outcome of the call made with this Idempotency-Key is unknown: %s', 409),
  /** the idempotency store cannot be opened or written */
  GW_STORE_UNAVAILABLE: createError('GW_STORE_UNAVAILABLE', 'the idempotency store is unavailable: %s', 503)
}
