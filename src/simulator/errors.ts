/**
 * The simulator's own errors (prefix GW_SIM_). The functional anomalies it answers in-band,
 * the SNE's CTRL_DEM_nnnn codes of our model, are not errors: they live in `anomalies.ts` and
 * are documented in docs/simulator.md.
 *
 * Retired codes: none yet.
 */
import { createError } from '../errors.js'

export const codes = {
  GW_SIM_OPTIONS_INVALID: createError('GW_SIM_OPTIONS_INVALID', 'invalid simulator options: %s', 500),
  GW_SIM_STORE_UNAVAILABLE: createError('GW_SIM_STORE_UNAVAILABLE', 'cannot open the simulator data file %s: %s', 500),
  GW_SIM_STORE_VERSION: createError('GW_SIM_STORE_VERSION', 'the simulator data file %s has schema version %s; this simulator reads version %s', 500),
  GW_SIM_INVALID_REQUEST: createError('GW_SIM_INVALID_REQUEST', 'Une erreur inattendue est survenue lors du traitement de la demande.', 400),
  GW_SIM_SNE_ERROR: createError('GW_SIM_SNE_ERROR', 'Une erreur inattendue est survenue lors du traitement de la demande.', 500),
  GW_SIM_INJECTED_FAULT: createError('GW_SIM_INJECTED_FAULT', 'Une erreur inattendue est survenue lors du traitement de la demande.', 500),
  GW_SIM_OPERATION_NOT_SIMULATED: createError('GW_SIM_OPERATION_NOT_SIMULATED', 'the simulator has no behaviour for operation %s', 500),
  GW_SIM_BODY_TOO_LARGE: createError('GW_SIM_BODY_TOO_LARGE', 'request body larger than %d bytes', 413),
  GW_SIM_SPEC_FILE_NOT_FOUND: createError('GW_SIM_SPEC_FILE_NOT_FOUND', 'no such specification file: %s', 404),
  GW_SIM_ADMIN_FORBIDDEN: createError('GW_SIM_ADMIN_FORBIDDEN', 'the admin API answers loopback clients only', 403),
  GW_SIM_FAULT_RULE_INVALID: createError('GW_SIM_FAULT_RULE_INVALID', 'invalid fault rule: %s', 400),
  GW_SIM_FAULT_RULE_NOT_FOUND: createError('GW_SIM_FAULT_RULE_NOT_FOUND', 'no fault rule with id %s', 404)
}
