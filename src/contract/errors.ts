/**
 * Errors of `contract/`: loading the interface specification (thrown at start, `GW_SPEC_…`),
 * and the codes of violations found in messages (`GW_SCHEMA_…` for XSD, `GW_SPEC_…` for the
 * interface and its rules). Each code is documented in docs/errors.md.
 *
 * Retired codes: none yet.
 */
import { createError } from '../errors.js'

/** Errors thrown by `loadSpec`: the spec directory is unusable. 500: it is our configuration. */
export const codes = {
  GW_SPEC_DIR_UNREADABLE: createError('GW_SPEC_DIR_UNREADABLE', 'cannot read the spec directory %s: %s', 500),
  GW_SPEC_NO_WSDL: createError('GW_SPEC_NO_WSDL', 'no *.wsdl file in the spec directory %s', 500),
  GW_SPEC_MANY_WSDL: createError('GW_SPEC_MANY_WSDL', 'more than one *.wsdl file in the spec directory %s: %s', 500),
  GW_SPEC_FILE_MISSING: createError('GW_SPEC_FILE_MISSING', '%s:%d: %s refers to %s, which cannot be read (%s)', 500),
  GW_SPEC_FILE_MALFORMED: createError('GW_SPEC_FILE_MALFORMED', '%s:%d:%d: not well-formed XML: %s', 500),
  GW_SPEC_IMPORT_OUTSIDE: createError('GW_SPEC_IMPORT_OUTSIDE', '%s:%d: %s is not a relative path inside the spec directory', 500),
  GW_SPEC_SCHEMA_INVALID: createError('GW_SPEC_SCHEMA_INVALID', '%s:%d: the schema does not compile: %s', 500),
  GW_SPEC_WSDL_INVALID: createError('GW_SPEC_WSDL_INVALID', '%s:%d: %s', 500),
  GW_SPEC_VERSION_UNKNOWN: createError('GW_SPEC_VERSION_UNKNOWN', '%s: cannot tell its interface version (no fixed versionInterface, no _vNNNN in the file name)', 500),
  GW_SPEC_VERSION_DUPLICATE: createError('GW_SPEC_VERSION_DUPLICATE', 'interface version %s is defined by both %s and %s', 500),
  // At run time: the validation worker threads (validation-pool.ts). 503: the call may be retried.
  GW_SPEC_VALIDATOR_UNAVAILABLE: createError('GW_SPEC_VALIDATOR_UNAVAILABLE', 'message validation is unavailable: %s', 503)
}

/** Codes that appear only as violations of a message (Fault Detail, validate CLI and route). */
export const violationCodes = {
  // XSD validation, by kind of libxml2 error
  GW_SCHEMA_ENUMERATION: 'a value is not in the enumeration (code list) of its type',
  GW_SCHEMA_PATTERN: 'a value does not match the pattern of its type',
  GW_SCHEMA_LENGTH: 'a value breaks a length, minLength or maxLength facet',
  GW_SCHEMA_RANGE: 'a value breaks a min/max inclusive/exclusive, totalDigits or fractionDigits facet',
  GW_SCHEMA_TYPE: 'a value is not of its type (date, dateTime, integer, boolean, base64Binary, …)',
  GW_SCHEMA_FIXED_VALUE: 'a value differs from the fixed value of its declaration',
  GW_SCHEMA_UNEXPECTED_ELEMENT: 'an element is not expected here: unknown, out of order or too many',
  GW_SCHEMA_MISSING_ELEMENT: 'a required element is missing',
  GW_SCHEMA_UNKNOWN_ATTRIBUTE: 'an attribute is not allowed on this element',
  GW_SCHEMA_MISSING_ATTRIBUTE: 'a required attribute is missing',
  GW_SCHEMA_TEXT_NOT_ALLOWED: 'text or child elements where the type allows none',
  GW_SCHEMA_UNKNOWN_ROOT: 'the root element has no declaration in the schema',
  GW_SCHEMA_INVALID: 'any other XSD validation error (libxml2 message kept)',
  // The interface: operations, documents and their versions
  GW_SPEC_UNKNOWN_OPERATION: 'the Body payload is not the request wrapper of any WSDL operation',
  GW_SPEC_ACTION_MISMATCH: 'the action (content-type action parameter or SOAPAction) names another operation',
  GW_SPEC_DOCUMENT_MISSING: 'a binary child that carries an interfaceNuu document is empty',
  GW_SPEC_BINARY_ENCODING: 'an inline base64Binary child is not strict base64',
  GW_SPEC_DOCUMENT_ROOT: 'the attached document is not an interfaceNuu document',
  GW_SPEC_VERSION_MISSING: 'the interfaceNuu document has no versionInterface',
  GW_SPEC_VERSION_UNSUPPORTED: 'the versionInterface has no XSD in the spec directory',
  // The interface rules that XSD cannot express (src/contract/rules/)
  GW_SPEC_NUM_UNIQUE_REQUIRED: 'typeFichier MOD, REN, RAD or SUP without numUnique',
  GW_SPEC_RADIATION_MOTIF_REQUIRED: 'typeFichier RAD without radiation/motif',
  GW_SPEC_SOUS_MOTIF_REQUIRED: 'radiation motif RADIRR without sousMotif',
  GW_SPEC_ATTRIBUTION_REQUIRED: 'radiation motif RADATT without attribution data',
  GW_SPEC_GUICHET_MISMATCH: 'the guichet of nomFichierDemande (DEM<guichet>-…) differs from numGuichet',
  GW_SPEC_TOO_MANY_COMMUNES: 'more than 10 communes souhaitées',
  GW_SPEC_DATE_IN_FUTURE: 'a date that cannot be in the future is in the future',
  // The JSON contract (docs/json-mapping.md)
  GW_SPEC_JSON_MALFORMED: 'a document given as JSON is not a JSON object',
  GW_SPEC_JSON_UNCONVERTIBLE: 'a value the JSON codec cannot convert faithfully',
  GW_SPEC_VERSION_CONFLICT: 'the version asked for differs from the versionInterface the document names'
}
