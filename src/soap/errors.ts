/**
 * Errors of the SOAP codec (MIME, XML, envelope, XOP), documented in docs/errors.md.
 *
 * Every error thrown by `soap/` is a `GatewayError` created through `soapError`, which
 * attaches where the problem is (line, column, byte offset, MIME part, path) and the SOAP
 * version detected so far, so that the caller can answer with a Fault in the client's version.
 * Messages describe the shape of the problem, never the content of the message.
 *
 * Retired codes: GW_SOAP_PROBE (placeholder of the foundation, never emitted).
 */
import { createError, isGatewayError, type GatewayError, type GatewayErrorConstructor } from '../errors.js'
import type { SoapVersion, Violation } from './types.js'

export const codes = {
  // transport
  GW_SOAP_UNSUPPORTED_MEDIA_TYPE: createError('GW_SOAP_UNSUPPORTED_MEDIA_TYPE', 'unsupported media type %s: expected multipart/related (MTOM), application/soap+xml or text/xml', 415),
  GW_SOAP_INVALID_CONTENT_TYPE: createError('GW_SOAP_INVALID_CONTENT_TYPE', 'malformed Content-Type: %s', 400),
  GW_SOAP_VERSION_MISMATCH: createError('GW_SOAP_VERSION_MISMATCH', 'the envelope is SOAP %s but the media type %s announces SOAP %s', 400),
  GW_SOAP_VERSION_UNSUPPORTED: createError('GW_SOAP_VERSION_UNSUPPORTED', 'SOAP %s is not accepted here', 400),

  // MIME multipart/related (MTOM/XOP)
  GW_SOAP_MIME_INVALID_BOUNDARY: createError('GW_SOAP_MIME_INVALID_BOUNDARY', 'multipart boundary parameter: %s', 400),
  GW_SOAP_MIME_BOUNDARY_NOT_FOUND: createError('GW_SOAP_MIME_BOUNDARY_NOT_FOUND', 'the body contains no delimiter line of the announced boundary', 400),
  GW_SOAP_MIME_TRUNCATED: createError('GW_SOAP_MIME_TRUNCATED', 'multipart body ends without its closing delimiter', 400),
  GW_SOAP_MIME_INVALID_HEADERS: createError('GW_SOAP_MIME_INVALID_HEADERS', 'malformed part headers: %s', 400),
  GW_SOAP_MIME_DUPLICATE_CONTENT_ID: createError('GW_SOAP_MIME_DUPLICATE_CONTENT_ID', 'two parts share one Content-ID', 400),
  GW_SOAP_MIME_TOO_MANY_PARTS: createError('GW_SOAP_MIME_TOO_MANY_PARTS', 'more than %d MIME parts', 400),
  GW_SOAP_MIME_ROOT_NOT_FOUND: createError('GW_SOAP_MIME_ROOT_NOT_FOUND', 'root part not found: %s', 400),
  GW_SOAP_MIME_NOT_XOP: createError('GW_SOAP_MIME_NOT_XOP', 'not an MTOM/XOP package: %s', 400),
  GW_SOAP_MIME_UNSUPPORTED_TRANSFER_ENCODING: createError('GW_SOAP_MIME_UNSUPPORTED_TRANSFER_ENCODING', 'unsupported Content-Transfer-Encoding %s', 400),
  GW_SOAP_MIME_INVALID_BASE64: createError('GW_SOAP_MIME_INVALID_BASE64', 'invalid base64 body: %s', 400),
  GW_SOAP_MIME_AMBIGUOUS: createError('GW_SOAP_MIME_AMBIGUOUS', 'the multipart body could be split differently by other parsers: %s', 400),
  GW_SOAP_MIME_INVALID_7BIT: createError('GW_SOAP_MIME_INVALID_7BIT', 'a part declared 7bit holds a byte outside 7-bit US-ASCII: %s', 400),
  GW_SOAP_MIME_INVALID_QUOTED_PRINTABLE: createError('GW_SOAP_MIME_INVALID_QUOTED_PRINTABLE', 'invalid quoted-printable body: %s', 400),

  // XML reader
  GW_SOAP_XML_TOO_LARGE: createError('GW_SOAP_XML_TOO_LARGE', 'XML document of %d bytes exceeds the limit of %d bytes', 413),
  GW_SOAP_XML_TOO_DEEP: createError('GW_SOAP_XML_TOO_DEEP', 'element nesting deeper than %d', 400),
  GW_SOAP_XML_TOO_MANY_ELEMENTS: createError('GW_SOAP_XML_TOO_MANY_ELEMENTS', 'more than %d elements', 400),
  GW_SOAP_XML_TOO_MANY_ATTRIBUTES: createError('GW_SOAP_XML_TOO_MANY_ATTRIBUTES', 'more than %d attributes on one element', 400),
  GW_SOAP_XML_TOO_MANY_NAMESPACES: createError('GW_SOAP_XML_TOO_MANY_NAMESPACES', 'more than %d namespace declarations', 400),
  GW_SOAP_XML_NAME_TOO_LONG: createError('GW_SOAP_XML_NAME_TOO_LONG', 'name longer than %d bytes', 400),
  GW_SOAP_XML_TEXT_TOO_LONG: createError('GW_SOAP_XML_TEXT_TOO_LONG', 'text node longer than %d bytes', 400),
  GW_SOAP_XML_ATTRIBUTE_TOO_LONG: createError('GW_SOAP_XML_ATTRIBUTE_TOO_LONG', 'attribute value longer than %d bytes', 400),
  GW_SOAP_XML_COMMENT_TOO_LONG: createError('GW_SOAP_XML_COMMENT_TOO_LONG', 'comment or processing instruction longer than %d bytes', 400),
  GW_SOAP_XML_DTD: createError('GW_SOAP_XML_DTD', 'document type declarations are forbidden (%s)', 400),
  GW_SOAP_XML_UNDEFINED_ENTITY: createError('GW_SOAP_XML_UNDEFINED_ENTITY', 'reference to the undeclared entity &%s;', 400),
  GW_SOAP_XML_INVALID_CHAR_REF: createError('GW_SOAP_XML_INVALID_CHAR_REF', 'character reference to a code point XML forbids (%s)', 400),
  GW_SOAP_XML_INVALID_CHARACTER: createError('GW_SOAP_XML_INVALID_CHARACTER', 'character %s is not allowed in XML', 400),
  GW_SOAP_XML_INVALID_UTF8: createError('GW_SOAP_XML_INVALID_UTF8', 'invalid UTF-8 byte sequence', 400),
  GW_SOAP_XML_UNSUPPORTED_ENCODING: createError('GW_SOAP_XML_UNSUPPORTED_ENCODING', 'unsupported encoding %s: only UTF-8 (or its US-ASCII subset) is accepted', 400),
  GW_SOAP_XML_MALFORMED: createError('GW_SOAP_XML_MALFORMED', 'malformed XML: %s', 400),
  GW_SOAP_XML_TAG_MISMATCH: createError('GW_SOAP_XML_TAG_MISMATCH', 'end tag </%s> does not match the open element <%s>', 400),
  GW_SOAP_XML_TRUNCATED: createError('GW_SOAP_XML_TRUNCATED', 'XML document ends inside %s', 400),
  GW_SOAP_XML_NO_ROOT: createError('GW_SOAP_XML_NO_ROOT', 'XML document has no root element', 400),
  GW_SOAP_XML_MULTIPLE_ROOTS: createError('GW_SOAP_XML_MULTIPLE_ROOTS', 'a second element after the root element', 400),
  GW_SOAP_XML_DUPLICATE_ATTRIBUTE: createError('GW_SOAP_XML_DUPLICATE_ATTRIBUTE', 'attribute %s appears twice on one element', 400),
  GW_SOAP_XML_UNBOUND_PREFIX: createError('GW_SOAP_XML_UNBOUND_PREFIX', 'namespace prefix %s is not declared', 400),
  GW_SOAP_XML_INVALID_NAMESPACE: createError('GW_SOAP_XML_INVALID_NAMESPACE', 'namespace rule broken: %s', 400),

  // SOAP envelope
  GW_SOAP_ENVELOPE_NAMESPACE: createError('GW_SOAP_ENVELOPE_NAMESPACE', 'the root element is %s, not a SOAP 1.2 or 1.1 Envelope', 400),
  GW_SOAP_ENVELOPE_STRUCTURE: createError('GW_SOAP_ENVELOPE_STRUCTURE', 'envelope structure: %s', 400),
  GW_SOAP_ENVELOPE_NO_OPERATION: createError('GW_SOAP_ENVELOPE_NO_OPERATION', 'the Body has no element child naming the operation', 400),
  GW_SOAP_ENVELOPE_PROCESSING_INSTRUCTION: createError('GW_SOAP_ENVELOPE_PROCESSING_INSTRUCTION', 'SOAP messages must not contain processing instructions', 400),

  // XOP
  GW_SOAP_XOP_MISSING_PART: createError('GW_SOAP_XOP_MISSING_PART', 'xop:Include refers to a part the message does not contain', 400),
  GW_SOAP_XOP_UNREFERENCED_PART: createError('GW_SOAP_XOP_UNREFERENCED_PART', 'a MIME part is referenced by no xop:Include', 400),
  GW_SOAP_XOP_INVALID_INCLUDE: createError('GW_SOAP_XOP_INVALID_INCLUDE', 'invalid xop:Include: %s', 400),

  // MTOM writer (a programming error of the caller, not of a client)
  GW_SOAP_MTOM_INVALID_PART: createError('GW_SOAP_MTOM_INVALID_PART', 'cannot write MTOM part: %s', 500)
}

/** Where a codec error is, and the SOAP version known when it was raised. */
export interface SoapErrorDetail {
  line?: number
  column?: number
  /** byte offset in the part (or the body for a plain envelope) */
  offset?: number
  /** `root`, `multipart`, or the Content-ID of the part the position refers to */
  part?: string
  /** XPath-like path of the element concerned */
  path?: string
  soapVersion?: SoapVersion
}

export type SoapError = GatewayError & SoapErrorDetail

/** Creates a codec error and attaches its detail (absent fields are left out). */
export function soapError (Err: GatewayErrorConstructor, detail: SoapErrorDetail, ...args: Array<string | number>): SoapError {
  const err = new Err(...args) as SoapError
  for (const [key, value] of Object.entries(detail)) {
    if (value !== undefined) (err as unknown as Record<string, unknown>)[key] = value
  }
  return err
}

/** Adds detail to an error already thrown (keeps what it already had: the innermost layer knows best). */
export function annotateSoapError (err: unknown, detail: SoapErrorDetail): void {
  if (!isGatewayError(err)) return
  const target = err as unknown as Record<string, unknown>
  for (const [key, value] of Object.entries(detail)) {
    if (value !== undefined && target[key] === undefined) target[key] = value
  }
}

/** The SOAP version recorded on a codec error, if any. */
export function soapVersionOf (err: unknown): SoapVersion | undefined {
  if (!isGatewayError(err)) return undefined
  const v = (err as SoapError).soapVersion
  return v === '1.1' || v === '1.2' ? v : undefined
}

/** Maps a thrown error of the project to the violation shown in Fault details and reports. */
export function errorToViolation (err: GatewayError): Violation {
  const detail = err as SoapError
  const violation: Violation = { code: err.code, message: err.message }
  if (detail.path !== undefined) violation.path = detail.path
  if (detail.line !== undefined) violation.line = detail.line
  if (detail.column !== undefined) violation.column = detail.column
  if (detail.part !== undefined) violation.part = detail.part
  return violation
}
