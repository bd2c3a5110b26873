/**
 * The SOAP envelope layer: version, Header/Body structure, operation and action.
 */
import { codes, soapError, type SoapErrorDetail } from './errors.js'
import { SOAP11_ENVELOPE_NS, SOAP12_ENVELOPE_NS, type ContentType, type SoapVersion, type XmlDocument, type XmlElement } from './types.js'
import { elementPath, qualifiedName } from './xml-tree.js'

export interface Envelope {
  soapVersion: SoapVersion
  header: XmlElement | undefined
  body: XmlElement
  /** the Body's first element child: its QName names the operation */
  payload: XmlElement
}

/** The SOAP version of an envelope namespace, undefined for any other namespace. */
export function soapVersionOfNamespace (uri: string): SoapVersion | undefined {
  if (uri === SOAP12_ENVELOPE_NS) return '1.2'
  if (uri === SOAP11_ENVELOPE_NS) return '1.1'
  return undefined
}

/** The SOAP version a media type announces (`application/soap+xml` 1.2, `text/xml` 1.1). */
export function soapVersionOfMediaType (mediaType: string): SoapVersion | undefined {
  const m = mediaType.trim().toLowerCase()
  if (m === 'application/soap+xml') return '1.2'
  if (m === 'text/xml') return '1.1'
  return undefined
}

function isBlank (s: string): boolean {
  return /^[ \t\r\n]*$/.test(s)
}

/**
 * Reads the envelope of a parsed document.
 * @param part where the document came from, for error details (`root`)
 * @throws GW_SOAP_ENVELOPE_… with the version once it is known.
 */
export function readEnvelope (doc: XmlDocument, part = 'root'): Envelope {
  const root = doc.root
  const soapVersion = soapVersionOfNamespace(root.uri)
  const at = (el: XmlElement): SoapErrorDetail => ({ line: el.line, column: el.column, offset: el.start, part, path: elementPath(el), soapVersion })
  if (soapVersion === undefined || root.local !== 'Envelope') {
    const name = root.uri === '' ? root.local : `{${root.uri}}${root.local}`
    throw soapError(codes.GW_SOAP_ENVELOPE_NAMESPACE, at(root), name.length > 200 ? name.slice(0, 200) + '…' : name)
  }
  // SOAP 1.2 Part 1 §5 and SOAP 1.1 §3: an envelope carries no processing instruction
  const pi = doc.processingInstructions[0]
  if (pi !== undefined) {
    throw soapError(codes.GW_SOAP_ENVELOPE_PROCESSING_INSTRUCTION, { line: pi.line, column: pi.column, offset: pi.start, part, soapVersion })
  }
  if (!isBlank(root.text)) throw soapError(codes.GW_SOAP_ENVELOPE_STRUCTURE, at(root), 'text directly inside Envelope')
  let header: XmlElement | undefined
  let body: XmlElement | undefined
  for (const child of root.children) {
    const inSoap = child.uri === root.uri
    if (inSoap && child.local === 'Header') {
      if (body !== undefined) throw soapError(codes.GW_SOAP_ENVELOPE_STRUCTURE, at(child), 'Header after Body')
      if (header !== undefined) throw soapError(codes.GW_SOAP_ENVELOPE_STRUCTURE, at(child), 'more than one Header')
      header = child
    } else if (inSoap && child.local === 'Body') {
      if (body !== undefined) throw soapError(codes.GW_SOAP_ENVELOPE_STRUCTURE, at(child), 'more than one Body')
      body = child
    } else {
      throw soapError(codes.GW_SOAP_ENVELOPE_STRUCTURE, at(child), `unexpected element ${qualifiedName(child)} in Envelope`)
    }
  }
  if (body === undefined) throw soapError(codes.GW_SOAP_ENVELOPE_STRUCTURE, at(root), 'no Body')
  if (header !== undefined) {
    if (!isBlank(header.text)) throw soapError(codes.GW_SOAP_ENVELOPE_STRUCTURE, at(header), 'text directly inside Header')
    if (soapVersion === '1.2') {
      // SOAP 1.2 Part 1 §5.2.1: each header block MUST be namespace-qualified
      const unqualified = header.children.find((c) => c.uri === '')
      if (unqualified !== undefined) throw soapError(codes.GW_SOAP_ENVELOPE_STRUCTURE, at(unqualified), 'a header block without namespace')
    }
  }
  if (!isBlank(body.text)) throw soapError(codes.GW_SOAP_ENVELOPE_STRUCTURE, at(body), 'text directly inside Body')
  const payload = body.children[0]
  if (payload === undefined) throw soapError(codes.GW_SOAP_ENVELOPE_NO_OPERATION, at(body))
  // WS-I Basic Profile R2712: a document-literal Body holds exactly the operation's wrapper. A
  // second element would travel unvalidated to an upstream that may read it.
  const second = body.children[1]
  if (second !== undefined) throw soapError(codes.GW_SOAP_ENVELOPE_STRUCTURE, at(second), 'more than one element in Body (a document-literal Body holds exactly the operation\'s wrapper)')
  return { soapVersion, header, body, payload }
}

/** A SOAPAction header value without its quotes (SOAP 1.1 §6.1.1 writes it as a quoted string). */
export function unquoteSoapAction (value: string | undefined): string | undefined {
  if (value === undefined) return undefined
  const v = value.trim()
  return v.length >= 2 && v.startsWith('"') && v.endsWith('"') ? v.slice(1, -1) : v
}

export interface ActionSources {
  /** the HTTP Content-Type (multipart/related or the plain SOAP media type) */
  message?: ContentType
  /** the multipart `start-info` or the root part's `type`, each read as a media type */
  startInfo?: ContentType
  /** the root part's Content-Type */
  root?: ContentType
  rootType?: ContentType
  soapAction?: string
}

/**
 * The action of a message, from the first source that has one: the `action` parameter of the
 * HTTP Content-Type, of `start-info`, of the root part, of the root part's `type`, then the
 * SOAPAction header. '' when none has it.
 */
export function resolveAction (sources: ActionSources): string {
  return declaredActions(sources)[0] ?? ''
}

/**
 * Every action the message declares, in the order of `resolveAction`'s sources, each once: a
 * message may name its operation in several places, and an upstream may read any of them.
 */
export function declaredActions (sources: ActionSources): string[] {
  const out: string[] = []
  for (const value of [sources.message?.params.action, sources.startInfo?.params.action, sources.root?.params.action,
    sources.rootType?.params.action, unquoteSoapAction(sources.soapAction)]) {
    if (value !== undefined && value !== '' && !out.includes(value)) out.push(value)
  }
  return out
}
