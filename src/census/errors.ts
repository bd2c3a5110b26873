/**
 * Errors of `census/`: the legacy-TLS census (its store and its query API). The reasons a handshake
 * is refused are not errors of the gateway: they are census data, listed in docs/tls-census.md.
 *
 * Retired codes: none yet.
 */
import { createError } from '../errors.js'

export const codes = {
  /** the census store cannot be opened (thrown at start) */
  GW_TLS_CENSUS_STORE: createError('GW_TLS_CENSUS_STORE', 'the TLS census store %s cannot be opened: %s', 500),
  /** a filter of GET /ops/tls/clients or /ops/tls/report.csv is not understood (problem+json) */
  GW_TLS_CENSUS_BAD_FILTER: createError('GW_TLS_CENSUS_BAD_FILTER', 'bad census filter %s: %s', 400)
}
