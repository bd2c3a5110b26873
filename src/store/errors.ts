/**
 * Errors of `store/`: the shared store (PostgreSQL) several gateway instances keep their state in.
 *
 * Retired codes: none yet.
 */
import { createError } from '../errors.js'

export const codes = {
  /** the shared store's schema is newer than this gateway knows: a newer release migrated it */
  GW_STORE_SCHEMA_NEWER: createError('GW_STORE_SCHEMA_NEWER', 'the shared store is at schema version %d, newer than this gateway knows (%d): run a release that knows it', 500),
  /** the shared store cannot be reached or migrated at start */
  GW_STORE_START_FAILED: createError('GW_STORE_START_FAILED', 'the shared store cannot be used: %s', 500)
}
