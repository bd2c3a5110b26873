/**
 * Validates one SOAP message against the interface: the codec's checks (MIME, hardened XML,
 * envelope, XOP), the operation and its action, the Body payload against the webservice XSD,
 * then each interfaceNuu document the payload carries (attachment or inline base64).
 */
import { decodeSoapMessage } from '../soap/message.js'
import { soapVersionOf } from '../soap/errors.js'
import { validateDocumentBytes, validateWithXsd, violationOf } from './document-validator.js'
import { pathOf } from './xml-locator.js'
import type { DocumentValidatorContext } from './document-validator.js'
import type { CompiledDocumentSchema } from './compiled-validator.js'
import type { LxDocument, LxElement, LxValidator } from './libxml2.js'
import type { SoapMessage, SoapVersion, Violation, XmlDocument, XmlElement } from '../soap/types.js'
import { parseXml } from '../soap/xml-reader.js'
import { guichetFacts, type GuichetFacts } from './guichet-facts.js'
import type { AttachedDocument, OperationSpec, ValidateOptions, ValidationResult } from './types.js'

/**
 * The wrapper child naming the submitted file (`DEM<guichet>-…`), which the guichet rule
 * compares with numGuichet.
 */
export const FILE_NAME_ELEMENT = 'nomFichierDemande'

export interface MessageValidatorContext extends DocumentValidatorContext {
  service: LxValidator
  /** the webservice types compiled to code, when they compiled (`compiled-versions.ts`) */
  compiledService: CompiledDocumentSchema | undefined
  /** operations by `{uri}local` of their request wrapper */
  byRequest: ReadonlyMap<string, OperationSpec>
  /** the SOAP versions of the WSDL's bindings */
  soapVersions: readonly SoapVersion[]
}

const SPACE = 0x20
const CR = 0x0d
const LF = 0x0a

/**
 * The envelope bytes with every xop:Include overwritten by spaces, line breaks kept: the
 * payload then validates as base64Binary (empty) while libxml2's lines stay those of the
 * message. Copies only when there is something to blank.
 */
export function blankIncludes (message: SoapMessage): Buffer {
  if (message.includes.length === 0) return message.envelopeBytes
  const out = Buffer.from(message.envelopeBytes)
  for (const { element } of message.includes) {
    for (let i = element.start; i < element.end; i++) {
      if (out[i] !== CR && out[i] !== LF) out[i] = SPACE
    }
  }
  return out
}

/** Element-child indexes from the root down to `el`, to find the same node in libxml2's tree. */
function indexPath (el: XmlElement): number[] {
  const path: number[] = []
  for (let e = el; e.parent !== undefined; e = e.parent) path.push(e.parent.children.indexOf(e))
  return path.reverse()
}

function followPath (lx: DocumentValidatorContext['lx'], doc: LxDocument, path: number[]): LxElement | undefined {
  let current: LxElement | undefined = doc.root
  for (const index of path) {
    let n = 0
    let found: LxElement | undefined
    for (let c = current.firstChild; c !== null; c = c.next) {
      if (c instanceof lx.XmlElement && n++ === index) {
        found = c
        break
      }
    }
    if (found === undefined) return undefined
    current = found
  }
  return current
}

/**
 * Validates the Body payload against the webservice types: with the compiled code on the tree,
 * the xop:Include elements read as absent; or else libxml2 reads the envelope with its
 * xop:Include elements blanked, and validates the payload's subtree.
 */
export function validatePayload (ctx: MessageValidatorContext, message: SoapMessage, payload: XmlElement, showValues = false): Violation[] {
  const ignored = message.includes.length === 0 ? undefined : new Set(message.includes.map((i) => i.element))
  const compiled = ctx.compiledService?.validate(payload, 'root', ignored, showValues)
  if (compiled !== undefined) return compiled
  const path = indexPath(payload)
  return validateWithXsd(ctx, ctx.service, blankIncludes(message), message.envelope.root, 'root', (doc) => followPath(ctx.lx, doc, path), showValues)
}

/**
 * Strict base64 (RFC 4648 §4, as xs:base64Binary's lexical space has it): the alphabet, padding
 * only at the end, and the unused bits of the last character zero. Between characters, only XML
 * whitespace. Anything else is refused rather than left to the XSD check: libxml2 accepts some
 * of it, and a lenient decoder upstream would then decode a document nobody validated.
 */
const STRICT_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/][AQgw]==|[A-Za-z0-9+/]{2}[AEIMQUYcgkosw048]=)?$/
const XML_SPACE = /[ \t\r\n]+/g

/** The bytes of strict inline base64 text, or undefined when it is not strict base64. */
export function strictBase64 (text: string): Buffer | undefined {
  const compact = text.replace(XML_SPACE, '')
  if (!STRICT_BASE64.test(compact)) return undefined
  return Buffer.from(compact, 'base64')
}

/** The bytes a binary child carries: its attachment, or its inline base64 (undefined if not strict base64). */
function carriedBytes (message: SoapMessage, child: XmlElement): Buffer | undefined {
  const include = message.includes.find((i) => i.owner === child)
  if (include !== undefined) return include.part.body
  return strictBase64(child.text)
}

/** WS-Addressing (2004/08 and 1.0) namespaces: their Action header block names an operation too. */
const WSA_NAMESPACES = new Set(['http://www.w3.org/2005/08/addressing', 'http://schemas.xmlsoap.org/ws/2004/08/addressing'])

/** The values of the WS-Addressing Action blocks of a message's Header. */
export function addressingActions (header: XmlElement | undefined): string[] {
  const out: string[] = []
  for (const block of header?.children ?? []) {
    if (block.local === 'Action' && WSA_NAMESPACES.has(block.uri)) out.push(block.text.trim())
  }
  return out
}

function isBlank (bytes: Buffer): boolean {
  for (const b of bytes) if (b !== SPACE && b !== CR && b !== LF && b !== 0x09) return false
  return true
}

function result (message: SoapMessage | undefined, operation: string | undefined, violations: Violation[], documents: AttachedDocument[] = []): ValidationResult {
  return { operation, soapVersion: message?.soapVersion, violations, message, documents }
}

/** True when a declared action names `op`: its binding's soapAction, or (as libsne writes it) its bare name. */
export function namesOperation (op: OperationSpec, action: string): boolean {
  return action === op.action || action === op.name
}

/**
 * What an identified message says of guichets without the XSD nor the rules (mode off): the
 * documents are still decoded strictly and read, so that it is known in every mode (or known to
 * be unknown). `carried` gives a document child's bytes (undefined: not strict base64), `read`
 * its tree (undefined: not well-formed within the limits). Shared with the identify-only scanner,
 * which gives its own `carried` and `read`, so that both decide alike by construction.
 */
export function identifiedGuichets (op: OperationSpec, payload: XmlElement, carried: (child: XmlElement) => Buffer | undefined, read: (bytes: Buffer) => XmlDocument | undefined): GuichetFacts {
  const docs: Array<XmlDocument | undefined> = []
  for (const name of op.documentElements) {
    for (const child of payload.children.filter((c) => c.local === name)) {
      const bytes = carried(child)
      docs.push(bytes === undefined ? undefined : read(bytes))
    }
  }
  return guichetFacts(payload, docs)
}

/** Validates one message (see the module comment). */
export function validateSoapMessage (ctx: MessageValidatorContext, bytes: Buffer, contentType: string | undefined, options: ValidateOptions = {}): ValidationResult {
  let message: SoapMessage
  try {
    message = decodeSoapMessage(bytes, contentType, {
      ...(options.soapAction === undefined ? {} : { soapAction: options.soapAction }),
      xmlLimits: ctx.xmlLimits,
      soapVersions: ctx.soapVersions
    })
  } catch (err) {
    return { operation: undefined, soapVersion: soapVersionOf(err), violations: [violationOf(err, 'root')], message: undefined, documents: [] }
  }

  const payload = message.payload
  if (payload === undefined) {
    /* c8 ignore next 2 -- the codec refuses an empty Body (GW_SOAP_ENVELOPE_NO_OPERATION); kept for the type */
    return result(message, undefined, [{ code: 'GW_SOAP_ENVELOPE_NO_OPERATION', message: 'the SOAP Body is empty', path: pathOf(message.body), part: 'root' }])
  }
  const op = ctx.byRequest.get(`{${payload.uri}}${payload.local}`)
  if (op === undefined) {
    return result(message, undefined, [{ code: 'GW_SPEC_UNKNOWN_OPERATION', message: `no operation takes {${payload.uri}}${payload.local}`, path: pathOf(payload), line: payload.line, column: payload.column, part: 'root' }])
  }

  const violations: Violation[] = []
  // The operation is the Body's wrapper. Every action the message declares (content-type
  // parameters, SOAPAction, a WS-Addressing Action header) must name it: each may be the
  // binding's soapAction or, as libsne wrote it in the root part, the bare operation name. One
  // that names another operation is refused, whatever the mode: an upstream or a log reading
  // that action would see another call than the one validated.
  for (const action of [...message.actions, ...addressingActions(message.header)]) {
    if (!namesOperation(op, action)) {
      violations.push({ code: 'GW_SPEC_ACTION_MISMATCH', message: `a declared action does not name operation ${op.name} (expected ${op.action})`, part: 'root' })
      break
    }
  }

  if (options.identifyOnly === true) {
    const guichets = identifiedGuichets(op, payload, (child) => carriedBytes(message, child), (bytes) => parseQuietly(bytes, ctx))
    return { ...result(message, op.name, violations), guichets }
  }
  const showValues = options.showValues ?? ctx.showValues
  violations.push(...validatePayload(ctx, message, payload, showValues))

  const documents: AttachedDocument[] = []
  const fileName = payload.children.find((c) => c.local === FILE_NAME_ELEMENT)?.text.trim()
  for (const name of op.binaryElements) {
    for (const child of payload.children.filter((c) => c.local === name)) {
      const carried = carriedBytes(message, child)
      if (carried === undefined) {
        violations.push({ code: 'GW_SPEC_BINARY_ENCODING', message: `${name} is not strict base64: only the base64 alphabet, final padding and XML whitespace are allowed`, path: pathOf(child), line: child.line, column: child.column, part: 'root' })
        continue
      }
      if (!op.documentElements.includes(name)) continue
      if (isBlank(carried)) {
        violations.push({ code: 'GW_SPEC_DOCUMENT_MISSING', message: `${name} carries no document`, path: pathOf(child), line: child.line, column: child.column, part: 'root' })
        continue
      }
      const checked = validateDocumentBytes(ctx, carried, name, fileName, showValues)
      violations.push(...checked.violations)
      documents.push({ element: name, bytes: carried, doc: checked.doc, versionInterface: checked.versionInterface })
    }
  }
  // A document child that carried nothing readable counts as a document not read.
  const read: Array<XmlDocument | undefined> = documents.map((d) => d.doc)
  const carriedDocuments = op.documentElements.reduce((n, name) => n + payload.children.filter((c) => c.local === name).length, 0)
  for (let i = read.length; i < carriedDocuments; i++) read.push(undefined)
  return { ...result(message, op.name, violations, documents), guichets: guichetFacts(payload, read) }
}

/** The document's light tree, or undefined when it is not well-formed within the limits. */
function parseQuietly (bytes: Buffer, ctx: MessageValidatorContext): XmlDocument | undefined {
  try {
    return parseXml(bytes, ctx.xmlLimits)
  } catch {
    return undefined
  }
}
