/**
 * `decodeSoapMessage`: from the HTTP body and Content-Type to a `SoapMessage`.
 *
 * Dispatches on the media type (MTOM/XOP multipart, plain SOAP 1.2 or 1.1), reads the
 * envelope with the hardened XML reader and resolves every `xop:Include` to its part.
 * Every error carries the SOAP version detected so far, so the answer can be a Fault the
 * client understands.
 */
import { annotateSoapError, codes, soapError } from './errors.js'
import { parseContentType } from './content-type.js'
import { readEnvelope, declaredActions, resolveAction, soapVersionOfMediaType } from './envelope.js'
import { parseMultipart } from './mime.js'
import { XOP_NS, type ContentType, type DecodeOptions, type MimePart, type SoapMessage, type SoapVersion, type XmlDocument, type XmlElement, type XopInclude } from './types.js'
import { parseXml } from './xml-reader.js'
import { attributeValue, elementPath, walkElements } from './xml-tree.js'

const XOP_MEDIA_TYPE = 'application/xop+xml'

/**
 * Decodes a SOAP message (MTOM/XOP `multipart/related`, `application/soap+xml`, `text/xml`).
 * @throws a `GatewayError` with a `GW_SOAP_…` code, `soapVersion` set once known.
 */
export function decodeSoapMessage (body: Buffer, contentType: string | undefined, options: DecodeOptions = {}): SoapMessage {
  const state: { version: SoapVersion | undefined } = { version: undefined }
  try {
    if (contentType === undefined || contentType.trim() === '') {
      throw soapError(codes.GW_SOAP_UNSUPPORTED_MEDIA_TYPE, { part: 'message' }, '(none)')
    }
    const checked = messageTypes.get(contentType) ?? checkMessageType(contentType, state)
    if (checked.mtom) return decodeMtom(body, checked, options, state)
    const { ct, transportVersion } = checked
    state.version = transportVersion
    const doc = parseRoot(body, options, 'root')
    const envelope = readEnvelope(doc, 'root')
    state.version = envelope.soapVersion
    checkVersion(envelope.soapVersion, transportVersion, ct.mediaType, options)
    const includes = resolveIncludes(doc.root, new Map())
    return {
      soapVersion: envelope.soapVersion,
      mtom: false,
      envelopeBytes: body,
      envelope: doc,
      header: envelope.header,
      body: envelope.body,
      payload: envelope.payload,
      action: resolveAction({ message: ct, soapAction: options.soapAction }),
      actions: declaredActions({ message: ct, soapAction: options.soapAction }),
      attachments: new Map(),
      includes
    }
  } catch (err) {
    annotateSoapError(err, { soapVersion: state.version })
    throw err
  }
}

/**
 * What a message's Content-Type says once parsed and checked: the media type and parameters;
 * for MTOM the start-info, for plain SOAP the version it implies.
 */
export type CheckedMessageType =
  | { mtom: true, ct: ContentType, startInfo: ContentType | undefined }
  | { mtom: false, ct: ContentType, transportVersion: SoapVersion }

/** What a root part's Content-Type says once parsed and checked. */
export interface CheckedRootType {
  rootCt: ContentType
  rootType: ContentType
  transportVersion: SoapVersion
}

/**
 * Content types already checked, by their exact text: a client sends the same few header values
 * with every call. Only types that passed every check are kept (a refused one is checked again,
 * and refused with its own detail, each time), frozen, and at most CHECKED_TYPES of each kind:
 * the oldest goes first.
 */
const CHECKED_TYPES = 64
/** a longer header value is checked each time rather than kept */
const CHECKED_TYPE_LENGTH = 1024
const messageTypes = new Map<string, CheckedMessageType>()
const rootTypes = new Map<string, CheckedRootType>()

function remember<T> (cache: Map<string, T>, key: string, value: T): T {
  if (key.length > CHECKED_TYPE_LENGTH) return value
  if (cache.size >= CHECKED_TYPES) cache.delete(cache.keys().next().value!)
  cache.set(key, value)
  return value
}

function frozen (ct: ContentType): ContentType {
  Object.freeze(ct.params)
  return Object.freeze(ct)
}

/** The number of content types kept of each kind (for tests). */
export function checkedContentTypes (): { message: number, root: number } {
  return { message: messageTypes.size, root: rootTypes.size }
}

/**
 * A message's Content-Type checked as `decodeSoapMessage` checks it (and kept as it keeps it),
 * for a reader of the same bytes that must agree with it (`contract/identify-scanner.ts`).
 * @throws what `decodeSoapMessage` would throw for it.
 */
export function checkedMessageType (contentType: string): CheckedMessageType {
  return messageTypes.get(contentType) ?? checkMessageType(contentType, { version: undefined })
}

/** A root part's Content-Type checked as `decodeSoapMessage` checks it; throws likewise. */
export function checkedRootType (raw: string): CheckedRootType {
  return rootTypes.get(raw) ?? checkRootType(raw, 'root', { version: undefined })
}

function checkMessageType (contentType: string, state: { version: SoapVersion | undefined }): CheckedMessageType {
  const ct = parseContentType(contentType, { part: 'message' })
  if (ct.mediaType === 'multipart/related') {
    const startInfo = parseInner(ct.params['start-info'], 'multipart')
    if (startInfo !== undefined) state.version = soapVersionOfMediaType(startInfo.mediaType)
    checkParameters(ct, contentType, 'message')
    const type = ct.params.type
    if (type === undefined || type.trim().toLowerCase() !== XOP_MEDIA_TYPE) {
      throw soapError(codes.GW_SOAP_MIME_NOT_XOP, { part: 'multipart' }, 'the type parameter of multipart/related is not application/xop+xml')
    }
    return remember(messageTypes, contentType, { mtom: true, ct: frozen(ct), startInfo: startInfo === undefined ? undefined : frozen(startInfo) })
  }
  const transportVersion = soapVersionOfMediaType(ct.mediaType)
  if (transportVersion === undefined) {
    throw soapError(codes.GW_SOAP_UNSUPPORTED_MEDIA_TYPE, { part: 'message' }, ct.mediaType.slice(0, 100))
  }
  state.version = transportVersion
  checkParameters(ct, contentType, 'message')
  checkCharset(ct, 'root')
  return remember(messageTypes, contentType, { mtom: false, ct: frozen(ct), transportVersion })
}

function checkRootType (raw: string, rootId: string, state: { version: SoapVersion | undefined }): CheckedRootType {
  const rootCt = parseContentType(raw === '' ? 'text/plain' : raw, { part: rootId })
  checkParameters(rootCt, raw, rootId)
  if (rootCt.mediaType !== XOP_MEDIA_TYPE) {
    throw soapError(codes.GW_SOAP_MIME_NOT_XOP, { part: rootId }, 'the root part is not application/xop+xml')
  }
  const rootType = parseInner(rootCt.params.type, rootId)
  const transportVersion = rootType === undefined ? undefined : soapVersionOfMediaType(rootType.mediaType)
  if (rootType === undefined || transportVersion === undefined) {
    throw soapError(codes.GW_SOAP_MIME_NOT_XOP, { part: rootId }, 'the root part type parameter is neither application/soap+xml nor text/xml')
  }
  state.version = transportVersion
  checkCharset(rootCt, rootId)
  return remember(rootTypes, raw, { rootCt: frozen(rootCt), rootType: frozen(rootType), transportVersion })
}

function decodeMtom (body: Buffer, checked: Extract<CheckedMessageType, { mtom: true }>, options: DecodeOptions, state: { version: SoapVersion | undefined }): SoapMessage {
  const { ct, startInfo } = checked
  if (startInfo !== undefined) state.version = soapVersionOfMediaType(startInfo.mediaType)
  const mp = parseMultipart(body, ct, { maxParts: options.maxParts })
  const rootId = mp.root.contentId === '' ? 'root' : mp.root.contentId
  const { rootCt, rootType, transportVersion } = rootTypes.get(mp.root.contentType) ?? checkRootType(mp.root.contentType, rootId, state)
  state.version = transportVersion

  const doc = parseRoot(mp.root.body, options, rootId)
  const envelope = readEnvelope(doc, rootId)
  state.version = envelope.soapVersion
  checkVersion(envelope.soapVersion, transportVersion, `${XOP_MEDIA_TYPE}; type=${rootType.mediaType}`, options)
  const includes = resolveIncludes(doc.root, mp.attachments, rootId)
  return {
    soapVersion: envelope.soapVersion,
    mtom: true,
    envelopeBytes: mp.root.body,
    envelope: doc,
    header: envelope.header,
    body: envelope.body,
    payload: envelope.payload,
    action: resolveAction({ message: ct, startInfo, root: rootCt, rootType, soapAction: options.soapAction }),
    actions: declaredActions({ message: ct, startInfo, root: rootCt, rootType, soapAction: options.soapAction }),
    attachments: mp.attachments,
    includes
  }
}

/**
 * The parameters a SOAP or MTOM content type may carry, by media type. The gateway forwards the
 * client's Content-Type as it came (it frames the bytes), so every parameter in it must mean to
 * every reader what it means here: a parameter this parser would ignore (an unknown name, an
 * RFC 2231 `action*=` continuation) could name another action for a reader that knows it.
 */
const PARAMETERS: Readonly<Record<string, ReadonlySet<string>>> = {
  'multipart/related': new Set(['type', 'start', 'start-info', 'boundary', 'action', 'charset']),
  'application/xop+xml': new Set(['type', 'charset', 'action']),
  'application/soap+xml': new Set(['charset', 'action']),
  'text/xml': new Set(['charset', 'action'])
}

/** Refuses a parameter outside the allowlist, and any `action=` the parse did not read as one. */
function checkParameters (ct: ContentType, raw: string, part: string): void {
  const allowed = PARAMETERS[ct.mediaType]
  let actions = 0
  for (const [name, value] of Object.entries(ct.params)) {
    if (allowed !== undefined && !allowed.has(name)) throw soapError(codes.GW_SOAP_INVALID_CONTENT_TYPE, { part }, `the parameter ${JSON.stringify(name.slice(0, 40))} is not one of a SOAP content type`)
    if (name === 'action') actions++
    if (name === 'start-info' || name === 'type') {
      const inner = parseInner(value, part)
      if (inner !== undefined) {
        const innerAllowed = PARAMETERS[inner.mediaType] ?? new Set(['charset', 'action'])
        for (const innerName of Object.keys(inner.params)) {
          if (!innerAllowed.has(innerName)) throw soapError(codes.GW_SOAP_INVALID_CONTENT_TYPE, { part }, `the parameter ${JSON.stringify(innerName.slice(0, 40))} of ${name} is not one of a SOAP content type`)
          if (innerName === 'action') actions++
        }
      }
    }
  }
  // Readers that look for "action=" anywhere in the header (some JAX-WS stacks do) must find
  // only the actions this parser read.
  if ((raw.match(/action\s*\*?\s*=/gi) ?? []).length > actions) throw soapError(codes.GW_SOAP_INVALID_CONTENT_TYPE, { part }, 'an "action=" that is not an action parameter')
}

/** A media type carried inside a parameter (`start-info`, the root part's `type`). */
function parseInner (value: string | undefined, part: string): ContentType | undefined {
  return value === undefined ? undefined : parseContentType(value, { part })
}

function parseRoot (bytes: Buffer, options: DecodeOptions, part: string): XmlDocument {
  try {
    return parseXml(bytes, options.xmlLimits)
  } catch (err) {
    annotateSoapError(err, { part })
    throw err
  }
}

/** The transport charset, when given, must agree with the only encoding the reader accepts. */
function checkCharset (ct: ContentType, part: string): void {
  const charset = ct.params.charset
  if (charset === undefined) return
  const c = charset.toLowerCase()
  if (c !== 'utf-8' && c !== 'us-ascii') throw soapError(codes.GW_SOAP_XML_UNSUPPORTED_ENCODING, { part }, `${charset.slice(0, 40)} (charset parameter)`)
}

function checkVersion (envelopeVersion: SoapVersion, transportVersion: SoapVersion, mediaType: string, options: DecodeOptions): void {
  if (envelopeVersion !== transportVersion) {
    throw soapError(codes.GW_SOAP_VERSION_MISMATCH, { soapVersion: envelopeVersion }, envelopeVersion, mediaType, transportVersion)
  }
  if (options.soapVersions !== undefined && !options.soapVersions.includes(envelopeVersion)) {
    throw soapError(codes.GW_SOAP_VERSION_UNSUPPORTED, { soapVersion: envelopeVersion }, envelopeVersion)
  }
}

/**
 * Resolves every `xop:Include` (XOP 1.0 §3) to its attachment: the href is a `cid:` URL
 * (RFC 2392, URL-encoded Content-ID); the include must be the only content of its parent;
 * every attachment must be referenced, so nothing travels that the validation did not see.
 */
function resolveIncludes (root: XmlElement, attachments: Map<string, MimePart>, part = 'root'): XopInclude[] {
  const includes: XopInclude[] = []
  const referenced = new Set<string>()
  walkElements(root, (el) => {
    if (el.uri !== XOP_NS) return
    const at = { line: el.line, column: el.column, offset: el.start, part, path: elementPath(el) }
    if (el.local !== 'Include') throw soapError(codes.GW_SOAP_XOP_INVALID_INCLUDE, at, 'unknown element in the XOP namespace')
    const owner = el.parent
    if (owner === undefined) throw soapError(codes.GW_SOAP_XOP_INVALID_INCLUDE, at, 'xop:Include as the document element')
    if (el.children.length > 0 || el.text !== '') throw soapError(codes.GW_SOAP_XOP_INVALID_INCLUDE, at, 'xop:Include must be empty')
    if (owner.children.length !== 1 || owner.text !== '') throw soapError(codes.GW_SOAP_XOP_INVALID_INCLUDE, at, 'xop:Include must be the only content of its parent')
    const href = attributeValue(el, 'href')
    if (href === undefined || !/^cid:/i.test(href)) throw soapError(codes.GW_SOAP_XOP_INVALID_INCLUDE, at, 'href is not a cid: URL')
    let contentId: string
    try {
      contentId = decodeURIComponent(href.slice(4))
    } catch {
      throw soapError(codes.GW_SOAP_XOP_INVALID_INCLUDE, at, 'href is not a valid URL-encoded Content-ID')
    }
    const found = attachments.get(contentId)
    if (found === undefined || contentId === '') throw soapError(codes.GW_SOAP_XOP_MISSING_PART, at)
    referenced.add(contentId)
    includes.push({ contentId, element: el, owner, part: found })
  })
  for (const id of attachments.keys()) {
    if (!referenced.has(id)) throw soapError(codes.GW_SOAP_XOP_UNREFERENCED_PART, { part: id === '' ? 'multipart' : id })
  }
  return includes
}
