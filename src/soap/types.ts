/**
 * The codec's public data types. `soap/` knows SOAP, MIME and XML, nothing of the SNE.
 * These shapes are the contract between `soap/`, `contract/`, the simulator and the routes.
 */

export type SoapVersion = '1.1' | '1.2'

export const SOAP12_ENVELOPE_NS = 'http://www.w3.org/2003/05/soap-envelope'
export const SOAP11_ENVELOPE_NS = 'http://schemas.xmlsoap.org/soap/envelope/'
export const XOP_NS = 'http://www.w3.org/2004/08/xop/include'

/** One problem found in a message: rendered in Fault Details, JSON reports and the CLI. */
export interface Violation {
  /** stable code, documented in docs/errors.md (GW_SOAP_…, GW_SCHEMA_…, GW_SPEC_…) */
  code: string
  /** human-readable, never containing message content beyond the offending value's shape */
  message: string
  /** where: an XPath-like path such as `/Envelope/Body/numUniqueParametres/nomFichierDemande`, or a MIME part */
  path?: string
  /** 1-based line and column in the part that holds the problem */
  line?: number
  column?: number
  /** which MIME part or document (`root`, a Content-ID, `fichierDemande`) the line/column refer to */
  part?: string
  /** the message quotes a value of the document masked to its shape (letters as A or a, digits as 9), not as sent */
  valuesMasked?: true
}

/** Limits of the hardened XML reader (defaults at least as strict as Kong's XML threat protection). */
export interface XmlLimits {
  /** maximum element nesting depth */
  maxDepth: number
  /** maximum number of elements in one document */
  maxElements: number
  /** maximum attributes on one element (namespace declarations included) */
  maxAttributes: number
  /** maximum length of an element or attribute qualified name */
  maxNameLength: number
  /** maximum length of one text node or CDATA section, in bytes */
  maxTextLength: number
  /** maximum length of one attribute value (namespace declarations included), in bytes */
  maxAttributeLength: number
  /** maximum length of one comment or processing instruction, in bytes */
  maxCommentLength: number
  /** maximum namespace declarations in one document */
  maxNamespaces: number
  /** maximum size of one document, in bytes */
  maxSize: number
}

/** A qualified name resolved against the in-scope namespaces. */
export interface QName {
  /** namespace URI, '' when none */
  uri: string
  local: string
}

export interface XmlAttribute extends QName {
  prefix: string
  value: string
}

/** An element of the reader's light tree. Offsets are byte offsets into the parsed buffer. */
export interface XmlElement extends QName {
  prefix: string
  attributes: XmlAttribute[]
  children: XmlElement[]
  /** concatenation of the element's direct text and CDATA children, entities decoded */
  text: string
  parent: XmlElement | undefined
  /** 1-based line and column (in characters) of the start tag; the reader works them out from `start` when read */
  line: number
  column: number
  /** offset of the '<' of the start tag */
  start: number
  /** offset just past the end tag (or past '/>' of an empty element) */
  end: number
  /** namespace declarations made on this element (prefix '' for the default namespace), if any */
  namespaces: Readonly<Record<string, string>> | undefined
}

/** A processing instruction met in a document (allowed by the reader, refused by the envelope layer). */
export interface XmlProcessingInstruction {
  target: string
  line: number
  column: number
  /** offset of its '<' */
  start: number
}

export interface XmlDocument {
  root: XmlElement
  /** encoding named in the XML declaration, if any */
  encoding: string | undefined
  /** processing instructions anywhere in the document (the XML declaration is not one) */
  processingInstructions: XmlProcessingInstruction[]
}

/** One MIME part, its body already decoded from its Content-Transfer-Encoding. */
export interface MimePart {
  /** header names lower-cased, values as received */
  headers: Record<string, string>
  /** Content-ID without angle brackets, '' when absent */
  contentId: string
  /** the raw Content-Type header value ('' when absent) */
  contentType: string
  /** the Content-Transfer-Encoding, trimmed and lower-cased ('7bit' when absent) */
  transferEncoding: string
  body: Buffer
}

/** A parsed Content-Type header: media type lower-cased, parameter names lower-cased, values unquoted. */
export interface ContentType {
  mediaType: string
  params: Record<string, string>
}

/** One `xop:Include` in the envelope, resolved to its part. */
export interface XopInclude {
  /** the href's Content-ID, without `cid:` and URL-decoded */
  contentId: string
  /** the xop:Include element itself */
  element: XmlElement
  /** the element whose content the include stands for (its parent) */
  owner: XmlElement
  part: MimePart
}

/** A SOAP message decoded by `decodeSoapMessage`. */
export interface SoapMessage {
  soapVersion: SoapVersion
  /** true for multipart/related (MTOM/XOP), false for a plain envelope */
  mtom: boolean
  /** the root part's XML bytes (the whole body for a plain envelope) */
  envelopeBytes: Buffer
  envelope: XmlDocument
  header: XmlElement | undefined
  body: XmlElement
  /** the Body's first element child (decodeSoapMessage refuses an empty Body, so it is always set by it) */
  payload: XmlElement | undefined
  /** the action: content-type `action` parameter, else the SOAPAction header, unquoted; '' when none */
  action: string
  /** every action the transport declares (content-type parameters of the message and its root part, SOAPAction), each once */
  actions: string[]
  /** every non-root part, by Content-ID */
  attachments: Map<string, MimePart>
  includes: XopInclude[]
}

export interface DecodeOptions {
  /** the SOAPAction header (SOAP 1.1), if any */
  soapAction?: string
  xmlLimits?: Partial<XmlLimits>
  /** maximum number of MIME parts (default 32) */
  maxParts?: number
  /** SOAP versions accepted (default both): another is refused with GW_SOAP_VERSION_UNSUPPORTED, still in its own version */
  soapVersions?: readonly SoapVersion[]
}

/** Input of the Fault writer. */
export interface FaultInput {
  soapVersion: SoapVersion
  /** Sender: the client's message is at fault (HTTP 400); Receiver: we or the upstream are (HTTP 500) */
  code: 'Sender' | 'Receiver'
  /** the gateway's stable code, written as the Subcode (1.2) or in the Detail (1.1) */
  subcode: string
  reason: string
  /** language of the reason, default 'en' */
  lang?: string
  violations?: Violation[]
  /** HTTP status to use instead of the binding's default (413, 415, 429, 502, 503, 504) */
  statusCode?: number
}

export interface RenderedFault {
  statusCode: number
  contentType: string
  body: string
}
