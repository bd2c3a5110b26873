/**
 * Errors of `rest/`: a REST call refused before its SOAP message exists (its JSON, parameters or
 * acting guichet), or an SNE answer the REST API reports as a problem. Answered as
 * `application/problem+json` (RFC 9457), with the `errors` (contract violations: JSON Pointer into
 * the body, XSD path) or `anomalies` (the SNE's `listeAnomalie`, codes verbatim) extension members.
 * Messages name fields, codes and guichets, never values of a demande.
 *
 * Retired codes: none yet.
 */
import { createError } from '../errors.js'

export const codes = {
  GW_REST_UNSUPPORTED_MEDIA_TYPE: createError('GW_REST_UNSUPPORTED_MEDIA_TYPE', 'the body must be application/json', 415),
  GW_REST_INVALID_JSON: createError('GW_REST_INVALID_JSON', 'the body is not a JSON object: %s', 400),
  GW_REST_CONTRACT: createError('GW_REST_CONTRACT', 'the body does not match the interface contract (%d errors, each with its JSON Pointer)', 400),
  GW_REST_INVALID_PARAMETER: createError('GW_REST_INVALID_PARAMETER', '%s', 400),
  GW_REST_NUMUNIQUE_MISMATCH: createError('GW_REST_NUMUNIQUE_MISMATCH', 'the body\'s numUnique differs from the path\'s', 400),
  GW_REST_RADIATION_MOTIF: createError('GW_REST_RADIATION_MOTIF', '%s', 400),
  GW_REST_GUICHET_REQUIRED: createError('GW_REST_GUICHET_REQUIRED', 'the client may act for several guichets: name the acting one in the SNE-Guichet header', 400),
  GW_REST_DEMANDE_NOT_FOUND: createError('GW_REST_DEMANDE_NOT_FOUND', 'the SNE knows no demande with this numéro unique', 404),
  GW_REST_SNE_ANOMALY: createError('GW_REST_SNE_ANOMALY', 'the SNE refused the call with %d anomalies', 422),
  GW_REST_SNE_FAULT: createError('GW_REST_SNE_FAULT', 'the SNE answered a SOAP Fault (%s)', 502),
  GW_REST_SNE_ANSWER_INVALID: createError('GW_REST_SNE_ANSWER_INVALID', 'the SNE\'s answer does not follow the interface contract (%s)', 502)
}
