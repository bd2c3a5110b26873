/**
 * Contract drift: does an upstream answer still match the interface specification? Checked only in
 * response-validation `report` mode, after the answer was delivered, and never blocking: the result
 * is a metric (`sne_gateway_response_drift_total`) and a log line of codes. Checks: the answer
 * decodes as SOAP (MIME, hardened XML, envelope); a non-Fault answer's Body element is the WSDL's
 * response wrapper of the operation; each interfaceNuu document it carries (attachment or inline
 * base64) validates against the XSD of its version and the interface rules.
 */
import { isGatewayError } from '../errors.js'
import { errorToViolation } from '../soap/errors.js'
import { decodeSoapMessage } from '../soap/message.js'
import type { SoapMessage, Violation, XmlElement } from '../soap/types.js'
import type { InterfaceSpec } from '../contract/types.js'

const BASE64 = /^[A-Za-z0-9+/\s]+={0,2}\s*$/

/** The interfaceNuu documents a message carries: MTOM parts, or inline base64 that holds XML. */
export function carriedDocuments (message: SoapMessage): Buffer[] {
  const docs: Buffer[] = []
  const payload = message.payload
  if (payload === undefined) return docs
  for (const child of payload.children) {
    const include = message.includes.find((i) => i.owner === child)
    if (include !== undefined) {
      docs.push(include.part.body)
      continue
    }
    if (child.children.length === 0 && child.text.length > 0 && BASE64.test(child.text)) {
      const bytes = Buffer.from(child.text.replace(/\s+/g, ''), 'base64')
      // Only base64 that carries XML is a document (other binaries, e.g. certificates, are not).
      if (bytes.subarray(0, 64).toString('latin1').trimStart().startsWith('<')) docs.push(bytes)
    }
  }
  return docs
}

function isFault (payload: XmlElement | undefined, message: SoapMessage): boolean {
  return payload !== undefined && payload.local === 'Fault' && payload.uri === message.envelope.root.uri
}

/** The violations of an upstream answer to `operation` (empty when it matches the specification). */
export function responseDrift (spec: InterfaceSpec, operation: string | undefined, body: Buffer, contentType: string | undefined): Violation[] {
  let message: SoapMessage
  try {
    message = decodeSoapMessage(body, contentType)
  } catch (err) {
    return isGatewayError(err) ? [errorToViolation(err)] : [{ code: 'GW_ROUTE_DRIFT_WRAPPER', message: 'the answer cannot be decoded' }]
  }
  if (isFault(message.payload, message)) return []
  const op = operation === undefined ? undefined : spec.operations.get(operation)
  const violations: Violation[] = []
  const expected = op?.response
  const payload = message.payload
  if (expected !== undefined && (payload === undefined || payload.local !== expected.local || payload.uri !== expected.uri)) {
    violations.push({ code: 'GW_ROUTE_DRIFT_WRAPPER', message: `expected {${expected.uri}}${expected.local}`, path: '/Envelope/Body' })
  }
  const docs = carriedDocuments(message)
  if (expected !== undefined && docs.length === 0) {
    violations.push({ code: 'GW_ROUTE_DRIFT_NO_DOCUMENT', message: 'no interfaceNuu document in the answer', path: '/Envelope/Body' })
  }
  for (const doc of docs) violations.push(...spec.validateDocument(doc).violations)
  return violations
}
