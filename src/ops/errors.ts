/**
 * Errors of the ops plane's access checks, answered as `application/problem+json`. Retired codes:
 * none yet.
 */
import { createError } from '../errors.js'

export const codes = {
  GW_OPS_UNAUTHORIZED: createError('GW_OPS_UNAUTHORIZED', 'this ops route needs the bearer token of ops.tokenFile (Authorization: Bearer …)', 401),
  GW_OPS_HOST_NOT_ALLOWED: createError('GW_OPS_HOST_NOT_ALLOWED', 'the ops plane does not answer for host %s (ops.allowedHosts)', 421)
}
